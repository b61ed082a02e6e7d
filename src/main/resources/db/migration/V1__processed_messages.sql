-- Keys of the messages a processor has claimed (idempotent consumer, see intake.idempotency.JdbcProcessedMessages).
-- A key is claimed with one INSERT ... ON CONFLICT DO NOTHING guarded by the primary key, so two
-- consumers (threads or instances) can never both claim the same message. processor_name lets
-- several consumers share the table. Portable: PostgreSQL, and H2 in MODE=PostgreSQL.
create table processed_messages (
    processor_name varchar(100)             not null,
    message_id     varchar(200)             not null,
    created_at     timestamp with time zone not null,
    constraint processed_messages_pk primary key (processor_name, message_id)
);

-- The purge deletes keys older than the retention horizon.
create index processed_messages_created_at_idx on processed_messages (created_at);
