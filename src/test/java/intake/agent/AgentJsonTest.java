package intake.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.ticket.AgentDecision;
import intake.ticket.TicketEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON shapes: a decision through a plain ObjectMapper, a ticket through TicketJson. */
class AgentJsonTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aDecisionWritesAndReadsBackWithAPlainObjectMapper() throws Exception {
        AgentDecision decision = new AgentDecision("3f1c", "ada@example.com", "triage", "billing", "high", true,
                List.of("refund_or_cancellation"), "Hello,\n\nThanks.");
        String text = json.writeValueAsString(decision);
        JsonNode tree = json.readTree(text);
        assertThat(tree.fieldNames()).toIterable().containsExactly("ticketId", "customerId", "agent", "category",
                "priority", "escalate", "escalationReasons", "reply");
        assertThat(tree.get("escalate").booleanValue()).isTrue();
        assertThat(json.readValue(text, AgentDecision.class)).isEqualTo(decision);
    }

    @Test
    void aDecisionsReasonsAreAnImmutableCopyAndNeverNull() {
        List<String> reasons = new ArrayList<>(List.of("legal_threat"));
        AgentDecision decision = new AgentDecision("t", "c", "a", "general", "low", true, reasons, "r");
        reasons.add("negative_sentiment");
        assertThat(decision.escalationReasons()).containsExactly("legal_threat");
        assertThat(new AgentDecision("t", "c", "a", "general", "low", false, null, "r").escalationReasons()).isEmpty();
    }

    @Test
    void aTicketAsJson() throws Exception {
        TicketEvent ticket = TestTickets.ticketWithAttachment();
        Map<String, Object> map = TicketJson.toMap(ticket);
        assertThat(map.keySet()).containsExactly("ticketId", "channel", "source", "customerId", "customerName",
                "subject", "body", "receivedAt", "correlationId", "attachments", "details");

        JsonNode tree = json.readTree(TicketJson.toJson(ticket));
        assertThat(tree.get("ticketId").textValue()).isEqualTo(ticket.getTicketId().toString());
        assertThat(tree.get("channel").textValue()).isEqualTo("whatsapp");
        assertThat(tree.get("source").textValue()).isEqualTo("twilio");
        assertThat(tree.get("customerId").textValue()).isEqualTo("+14155550100");
        assertThat(tree.get("customerName").isNull()).isTrue();
        assertThat(tree.get("subject").isNull()).isTrue();
        assertThat(tree.get("body").textValue()).isEqualTo("I was charged twice.");
        assertThat(tree.get("receivedAt").textValue()).isEqualTo("2025-06-09T10:15:30Z");
        assertThat(tree.get("correlationId").textValue()).isEqualTo("corr-42");
        JsonNode attachment = tree.get("attachments").get(0);
        assertThat(attachment.get("name").textValue()).isEqualTo("invoice.pdf");
        assertThat(attachment.get("contentType").textValue()).isEqualTo("application/pdf");
        assertThat(attachment.get("sizeBytes").longValue()).isEqualTo(1234L);
        assertThat(attachment.get("reference").isNull()).isTrue();
        assertThat(tree.get("details").get("orderNumber").textValue()).isEqualTo("A-1001");
        assertThat(tree.has("sourceMessageId")).isFalse();
    }
}
