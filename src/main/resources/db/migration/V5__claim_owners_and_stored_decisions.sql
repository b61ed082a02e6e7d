-- A claim names its owner (one process: instance id plus a part each start makes new), whose
-- heartbeat renews the claim's short lease while it lives (docs/adr/0012). Only in-flight claims
-- carry an owner: confirming clears it, so the renewal's index stays small.
alter table processed_messages add column claimed_by varchar(100);
create index processed_messages_claimed_by_idx on processed_messages (claimed_by);

-- The whole decision is kept, so a ticket processed again publishes the stored decision instead of
-- deciding again: its escalation reasons (a JSON list of strings) and how long the agent took.
alter table tickets add column escalation_reasons text;
alter table tickets add column agent_latency_ms bigint;
