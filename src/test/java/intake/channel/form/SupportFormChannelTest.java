package intake.channel.form;

import static intake.testing.Records.header;
import static intake.testing.Records.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.ticket.TicketEvent;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class SupportFormChannelTest extends IntakeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonFormIsAcceptedAndLandsOnBothTopics() throws Exception {
        String correlationId = "it-" + UUID.randomUUID();
        String body = """
                {"name": "Grace Hopper", "email": "Grace.Hopper@Example.COM", "subject": "Invoice twice",
                 "message": "I was charged twice for order A-1001.", "orderNumber": "A-1001"}""";

        HttpResponse<String> response = Http.post(url("/forms/support"), "application/json", body,
                "X-Correlation-ID", correlationId, "User-Agent", "intake-test");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(response.headers().firstValue("X-Correlation-ID")).contains(correlationId);
        JsonNode reply = JSON.readTree(response.body());
        String ticketId = reply.get("ticketId").asText();
        assertThat(UUID.fromString(ticketId)).isNotNull();
        assertThat(reply.get("correlationId").asText()).isEqualTo(correlationId);
        assertThat(reply.get("statusUrl").asText()).matches("/tickets/" + ticketId + "\\?token=[A-Za-z0-9_-]{43}");
        assertThat(response.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

        ConsumerRecord<String, byte[]> record = kafka.awaitRecords("fte.tickets.incoming",
                Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(record.key()).isEqualTo("grace.hopper@example.com");
        assertThat(record.partition()).isEqualTo(Records.partitionFor("grace.hopper@example.com", 12));
        assertThat(header(record, "ce_specversion")).isEqualTo("1.0");
        assertThat(header(record, "ce_type")).isEqualTo("dev.intake.ticket.received.v1");
        assertThat(header(record, "ce_source")).isEqualTo("/intake/webform/support-form");
        assertThat(header(record, "ce_subject")).isEqualTo("grace.hopper@example.com");
        assertThat(header(record, "ce_time")).isNotBlank();
        assertThat(header(record, "intake_correlation_id")).isEqualTo(correlationId);

        TicketEvent ticket = ticket(record);
        assertThat(ticket.getTicketId().toString()).isEqualTo(ticketId);
        assertThat(ticket.getSourceMessageId()).isEqualTo(ticketId);
        assertThat(ticket.getChannel()).isEqualTo("webform");
        assertThat(ticket.getSource()).isEqualTo("support-form");
        assertThat(ticket.getCustomerId()).isEqualTo("grace.hopper@example.com");
        assertThat(ticket.getCustomerName()).isEqualTo("Grace Hopper");
        assertThat(ticket.getSubject()).isEqualTo("Invoice twice");
        assertThat(ticket.getBody()).isEqualTo("I was charged twice for order A-1001.");
        assertThat(ticket.getCorrelationId()).isEqualTo(correlationId);
        assertThat(ticket.getDetails()).containsEntry("orderNumber", "A-1001");

        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("fte.channels.webform.inbound",
                Records.withHeader("intake_correlation_id", correlationId), 1).get(0);
        assertThat(raw.key()).isEqualTo("grace.hopper@example.com");
        assertThat(new String(raw.value(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(header(raw, "intake_http_user-agent")).isEqualTo("intake-test");
        assertThat(header(raw, "intake_http_content-type")).isEqualTo("application/json");
        assertThat(header(raw, "content-type")).isEqualTo("application/json");
        assertThat(header(raw, "ce_type")).isEqualTo("dev.intake.channel.payload.received.v1");
    }

    @Test
    void urlEncodedFormIsAccepted() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("name", "Ada Lovelace");
        form.put("email", "ada@example.org");
        form.put("subject", "Engine question");
        form.put("message", "Can it compute Bernoulli numbers? Ça marche?");

        HttpResponse<String> response = Http.post(url("/forms/support"), "application/x-www-form-urlencoded", Http.form(form));

        assertThat(response.statusCode()).isEqualTo(202);
        String ticketId = response.body().replaceAll(".*\"ticketId\":\"([^\"]+)\".*", "$1");
        TicketEvent ticket = ticket(kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0));
        assertThat(ticket.getBody()).isEqualTo("Can it compute Bernoulli numbers? Ça marche?");
        assertThat(ticket.getCustomerId()).isEqualTo("ada@example.org");
        assertThat(ticket.getDetails()).doesNotContainKey("orderNumber");
    }

    @Test
    void missingAndInvalidFieldsAreListedIn422() throws Exception {
        HttpResponse<String> response = Http.post(url("/forms/support"), "application/json",
                "{\"name\": \" \", \"email\": \"not-an-email\", \"subject\": 42, \"orderNumber\": \"A 1\"}");

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo("invalid_fields");
        assertThat(error.get("correlationId").asText()).isNotBlank();
        assertThat(error.get("fields").findValuesAsText("field"))
                .containsExactlyInAnyOrder("name", "email", "subject", "message", "orderNumber");
        assertThat(error.get("fields").toString()).contains("must be a valid email address", "must be a string", "is required");
    }

    @Test
    void supportPageIsServedWithAPolicyThatAllowsOnlyItsOwnFilesAndNoFraming() {
        HttpResponse<String> page = Http.get(url("/support"));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("<form", "id=\"support-form\"", "/forms/support",
                "<script src=\"/support.js\"></script>", "<link rel=\"stylesheet\" href=\"/support.css\">");
        assertThat(page.body()).as("nothing inline for the policy to refuse").doesNotContain("<script>", "<style>", " style=", " onclick=");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
        assertThat(page.headers().firstValue("Content-Security-Policy")).contains("default-src 'none'; script-src 'self'; style-src 'self';"
                + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");

        HttpResponse<String> script = Http.get(url("/support.js"));
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
        assertThat(script.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(script.body()).contains("'/forms/support'", "statusUrl");

        HttpResponse<String> style = Http.get(url("/support.css"));
        assertThat(style.statusCode()).isEqualTo(200);
        assertThat(style.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/css"));
        assertThat(style.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(style.body()).contains(".skip-link");
    }
}
