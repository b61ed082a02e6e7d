package intake.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.agent.AgentDecision;
import intake.config.IntakeProperties;
import intake.publish.KafkaRecords;
import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * What one agent decision publishes, as one batch of JSON records keyed by customer: the decision
 * on fte.agent.decisions, an escalation on fte.escalations when the agent escalated, and one
 * metrics event on fte.metrics.agent (latency, category, outcome).
 */
public class AgentOutputs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IntakeProperties.Topics topics;
    private final Clock clock;

    public AgentOutputs(IntakeProperties.Topics topics, Clock clock) {
        this.topics = topics;
        this.clock = clock;
    }

    public List<Message> build(Exchange exchange) {
        TicketEvent ticket = exchange.getProperty(TicketExchange.TICKET, TicketEvent.class);
        AgentDecision decision = exchange.getIn().getBody(AgentDecision.class);
        Long latencyMs = exchange.getProperty(TicketExchange.AGENT_LATENCY_MS, Long.class);

        // One id per agent decision: a record sent twice (a send that timed out and was also stored
        // in the outbox) is told from a ticket decided twice.
        String decisionId = UUID.randomUUID().toString();
        String decidedAt = clock.instant().toString();
        Map<String, Object> decided = JSON.convertValue(decision, new TypeReference<LinkedHashMap<String, Object>>() { });
        decided.put("decisionId", decisionId);
        decided.put("decidedAt", decidedAt);

        List<Message> records = new ArrayList<>(3);
        records.add(record(exchange, topics.decisions(), ticket, decided));
        if (decision.escalate()) {
            Map<String, Object> escalation = new LinkedHashMap<>();
            escalation.put("ticketId", decision.ticketId());
            escalation.put("customerId", ticket.getCustomerId());
            escalation.put("channel", ticket.getChannel());
            escalation.put("subject", ticket.getSubject());
            escalation.put("priority", decision.priority());
            escalation.put("reasons", decision.escalationReasons());
            escalation.put("decisionId", decisionId);
            escalation.put("escalatedAt", decidedAt);
            records.add(record(exchange, topics.escalations(), ticket, escalation));
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("ticketId", decision.ticketId());
        metrics.put("agent", decision.agent());
        metrics.put("latencyMs", latencyMs);
        metrics.put("category", decision.category());
        metrics.put("outcome", decision.escalate() ? "escalated" : "answered");
        metrics.put("decisionId", decisionId);
        metrics.put("processedAt", decidedAt);
        records.add(record(exchange, topics.agentMetrics(), ticket, metrics));
        return records;
    }

    private static Message record(Exchange exchange, String topic, TicketEvent ticket, Object value) {
        Message record = KafkaRecords.newRecord(exchange, topic, ticket.getCustomerId());
        record.setHeader("content-type", "application/json");
        record.setHeader(KafkaRecords.CORRELATION_ID_HEADER, ticket.getCorrelationId());
        try {
            record.setBody(JSON.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write " + topic + " record for ticket " + ticket.getTicketId(), e);
        }
        return record;
    }
}
