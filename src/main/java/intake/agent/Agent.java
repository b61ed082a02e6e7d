package intake.agent;

import intake.ticket.TicketEvent;

/** Decides what to do with one ticket: category, priority, escalation and a drafted reply. */
public interface Agent {

    /** The decision for this ticket, or {@link AgentRejectedTicketException} / {@link AgentUnavailableException}. */
    AgentDecision decide(TicketEvent ticket);

    /** A short, stable name, recorded in every decision and in every failure. */
    String name();
}
