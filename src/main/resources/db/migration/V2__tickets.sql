-- What the agent decided for each processed ticket: read by GET /tickets/{ticketId}, and counted
-- per customer by the triage agent's repeat-contact rule.
create table tickets (
    ticket_id     varchar(36)  not null primary key,
    customer_id   varchar(320) not null,
    channel       varchar(20)  not null,
    status        varchar(20)  not null,
    agent         varchar(40)  not null,
    category      varchar(20)  not null,
    priority      varchar(20)  not null,
    escalated     boolean      not null,
    reply         text,
    received_at   timestamp with time zone not null,
    processed_at  timestamp with time zone not null
);

create index tickets_customer_received on tickets (customer_id, received_at);
