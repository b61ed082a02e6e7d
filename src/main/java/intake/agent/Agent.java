package intake.agent;

import intake.ticket.AgentDecision;
import intake.ticket.ContactHistory;
import intake.ticket.TicketEvent;
import java.time.Duration;

/** Decides what to do with one ticket: category, priority, escalation and a drafted reply. */
public interface Agent {

    /** The decision for this ticket, or {@link AgentRejectedTicketException} / {@link AgentUnavailableException}. */
    AgentDecision decide(TicketEvent ticket);

    /**
     * The same decision, reading the customer's contact history from {@code history} instead of the
     * agent's own: a consumer batch reads the history of all its customers once. An agent that does
     * not read the history decides as {@link #decide(TicketEvent)}.
     */
    default AgentDecision decide(TicketEvent ticket, ContactHistory history) {
        return decide(ticket);
    }

    /** How far back before a ticket's arrival {@link #decide} reads its customer's contact history; zero when it does not. */
    default Duration historyWindow() {
        return Duration.ZERO;
    }

    /** A short, stable name, recorded in every decision and in every failure. */
    String name();

    /**
     * The longest one {@link #decide} waits for a service outside this process before it gives up,
     * for the consumer's poll budget ({@code intake.consumer.PollBudget}); zero for an agent that
     * only computes (its reads of the ticket store count as database steps there).
     */
    Duration longestCall();
}
