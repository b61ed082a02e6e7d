package intake.consumer;

import intake.agent.Agent;
import intake.agent.AgentDecision;
import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import org.apache.camel.Exchange;

/** Asks the configured agent for its decision on the ticket and notes how long it took. */
public class AgentStep {

    private final Agent agent;

    public AgentStep(Agent agent) {
        this.agent = agent;
    }

    public AgentDecision decide(Exchange exchange) {
        TicketEvent ticket = exchange.getProperty(TicketExchange.TICKET, TicketEvent.class);
        long started = System.nanoTime();
        AgentDecision decision = agent.decide(ticket);
        exchange.setProperty(TicketExchange.AGENT_LATENCY_MS, (System.nanoTime() - started) / 1_000_000);
        return decision;
    }
}
