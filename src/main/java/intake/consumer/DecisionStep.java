package intake.consumer;

import intake.agent.Agent;
import intake.ticket.AgentDecision;
import intake.ticket.TicketDecision;
import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import intake.ticket.TicketStore;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ticket's one decision: the one stored already (a redelivery, a claim taken over after a crash,
 * a replay, the bypass), else the agent's, stored first-wins before anything is published.
 */
public class DecisionStep {

    private static final Logger LOG = LoggerFactory.getLogger(DecisionStep.class);

    private final Agent agent;
    private final TicketStore ticketStore;

    public DecisionStep(Agent agent, TicketStore ticketStore) {
        this.agent = agent;
        this.ticketStore = ticketStore;
    }

    public TicketDecision decide(Exchange exchange) {
        TicketEvent ticket = exchange.getProperty(TicketExchange.TICKET, TicketEvent.class);
        String ticketId = ticket.getTicketId().toString();
        Optional<TicketDecision> stored = ticketStore.decisionOf(ticketId);
        if (stored.isPresent()) {
            LOG.info("Ticket {} was decided before (decision {}, {}): publishing that decision again, not asking the agent",
                    ticketId, stored.get().decisionId(), stored.get().decidedAt());
            return stored.get();
        }
        long started = System.nanoTime();
        AgentDecision decision = agent.decide(ticket);
        return ticketStore.recordOnce(ticket, decision, (System.nanoTime() - started) / 1_000_000);
    }
}
