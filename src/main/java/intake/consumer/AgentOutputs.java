package intake.consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.ticket.AgentDecision;
import intake.publish.Topics;
import intake.publish.KafkaRecords;
import intake.ticket.TicketDecision;
import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * What a ticket's decision publishes, as one batch of JSON records keyed by customer: the decision
 * on fte.agent.decisions, an escalation on fte.escalations when the agent escalated, and one
 * metrics event on fte.metrics.agent (latency, category, outcome). Built from the stored decision
 * only, so publishing it again gives the same records.
 */
public class AgentOutputs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Topics topics;

    public AgentOutputs(Topics topics) {
        this.topics = topics;
    }

    public List<Message> build(Exchange exchange) {
        return records(exchange, exchange.getProperty(TicketExchange.TICKET, TicketEvent.class),
                exchange.getIn().getBody(TicketDecision.class));
    }

    /** The output records of this ticket's stored decision, made on {@code exchange}'s context. */
    public List<Message> records(Exchange exchange, TicketEvent ticket, TicketDecision stored) {
        AgentDecision decision = stored.decision();
        Long latencyMs = stored.latencyMs();
        String decisionId = stored.decisionId();
        String decidedAt = stored.decidedAt().toString();
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
