-- Provider messages (and web form Idempotency-Keys) the edge has accepted, so that a retry of one
-- gets the original answer and publishes nothing (intake.edge.EdgeDeliveries, ADR 0013). A delivery
-- is claimed with one INSERT ... ON CONFLICT DO NOTHING guarded by the primary key, so of two
-- concurrent deliveries exactly one publishes; the claim is confirmed once its events are durable,
-- deleted when the publish failed, and taken over once claimed_until has passed unconfirmed (its
-- instance died). Portable: PostgreSQL, and H2 in MODE=PostgreSQL.
create table edge_deliveries (
    channel        varchar(32)              not null,
    source         varchar(200)             not null,
    -- the provider's message id (webhook-id, MessageSid, wamid, Message-ID) or the Idempotency-Key;
    -- "sha256:<hex>" of it when longer than 200 characters
    message_id     varchar(200)             not null,
    -- what the original answer is rebuilt from
    ticket_id      varchar(36)              not null,
    correlation_id varchar(128)             not null,
    -- SHA-256 of the web form body sent with an Idempotency-Key; null for provider messages
    fingerprint    varchar(64),
    claim_token    varchar(36)              not null,
    confirmed      boolean                  not null,
    -- the lease of an unconfirmed claim; null once confirmed
    claimed_until  timestamp with time zone,
    created_at     timestamp with time zone not null,
    constraint edge_deliveries_pk primary key (channel, source, message_id)
);

-- The purge deletes deliveries older than intake.edge-dedup.horizon.
create index edge_deliveries_created_at_idx on edge_deliveries (created_at);
