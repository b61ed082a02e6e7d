-- Outbox rows the broker refuses for good (too large, invalid topic, not authorized) are moved
-- here by the relay, with what failed and when, so they never block the rows behind them. An
-- operator fixes and re-inserts, or deletes, them (docs/runbook.md#outbox-rows-quarantined).
create table outbox_quarantine (
    id                 bigint       primary key,
    topic              varchar(249) not null,
    record_key         varchar(320),
    record_value       bytea        not null,
    headers            text         not null,
    created_at         timestamp with time zone not null,
    exception_class    varchar(300) not null,
    exception_message  text,
    quarantined_at     timestamp with time zone not null,
    quarantined_by     varchar(100)
);

-- One customer's rows reach Kafka in order across instances: a relay claims a row only when no
-- older row of its key is claimed by another relay, and the claims themselves take turns on this
-- one row (a claim is a few milliseconds; the sends run in parallel, outside it).
create table outbox_claim_turn (
    id int primary key
);
insert into outbox_claim_turn (id) values (1);

-- The claim asks, per row, whether an older row of the same key is claimed.
create index outbox_key_id on outbox (record_key, id);
