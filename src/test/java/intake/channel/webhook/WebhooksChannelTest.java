package intake.channel.webhook;

import static intake.testing.Records.header;
import static intake.testing.Records.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class WebhooksChannelTest extends IntakeIntegrationTest {

    private static final String SHOP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String CRM_OLD_SECRET = "whsec_b2xkLXNlY3JldC1iZWluZy1yb3RhdGVkLW91dA==";
    private static final String CRM_NEW_SECRET = "whsec_bmV3LXNlY3JldC1hZnRlci1yb3RhdGlvbg==";
    private static final String HELPDESK_SECRET = "whsec_aGVscGRlc2std2ViaG9vay1zZWNyZXQtMDEyMzQ1Njc4OQ==";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void signedEventBecomesATicketKeyedByCustomer() throws Exception {
        String webhookId = "msg_" + UUID.randomUUID();
        long timestamp = Instant.now().getEpochSecond();
        String body = """
                {"type": "message.created", "timestamp": "2026-11-22T10:00:00Z",
                 "data": {"customer": {"id": "cus_42", "phone": "+44 20 7946 0958", "name": "Alan Turing"},
                          "subject": "Order stuck", "message": "My order has not shipped.",
                          "attachments": [{"name": "receipt.pdf", "contentType": "application/pdf", "sizeBytes": 5120,
                                           "url": "https://files.example.com/r/1"}]}}""";

        HttpResponse<String> response = Http.post(url("/webhooks/shop"), "application/json", body,
                "webhook-id", webhookId,
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", Signatures.standardWebhook(SHOP_SECRET, webhookId, timestamp, body));

        assertThat(response.statusCode()).isEqualTo(202);
        String ticketId = JSON.readTree(response.body()).get("ticketId").asText();
        assertThat(ticketId).isEqualTo(Tickets.ticketId("webhook", "shop", webhookId).toString());

        ConsumerRecord<String, byte[]> record = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(record.key()).isEqualTo("+442079460958");
        assertThat(record.partition()).isEqualTo(Records.partitionFor("+442079460958", 12));
        assertThat(header(record, "ce_source")).isEqualTo("/intake/webhook/shop");
        TicketEvent ticket = ticket(record);
        assertThat(ticket.getSourceMessageId()).isEqualTo(webhookId);
        assertThat(ticket.getCustomerName()).isEqualTo("Alan Turing");
        assertThat(ticket.getSubject()).isEqualTo("Order stuck");
        assertThat(ticket.getDetails()).containsEntry("eventType", "message.created").containsEntry("customerRef", "cus_42");
        assertThat(ticket.getAttachments()).singleElement().satisfies(a -> {
            assertThat(a.getName()).isEqualTo("receipt.pdf");
            assertThat(a.getSizeBytes()).isEqualTo(5120L);
            assertThat(a.getReference()).isEqualTo("https://files.example.com/r/1");
        });

        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("fte.channels.webhook.inbound",
                Records.withHeader("intake_http_webhook-id", webhookId), 1).get(0);
        assertThat(new String(raw.value(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(header(raw, "intake_http_webhook-signature")).startsWith("v1,");
    }

    @Test
    void eitherSecretOfARotatingSourceIsAccepted() {
        for (String secret : List.of(CRM_OLD_SECRET, CRM_NEW_SECRET)) {
            String webhookId = "msg_" + UUID.randomUUID();
            long timestamp = Instant.now().getEpochSecond();
            String body = "{\"type\":\"ticket.opened\",\"data\":{\"customer\":{\"email\":\"Bob@Example.com\"},\"message\":\"Hi\"}}";
            HttpResponse<String> response = Http.post(url("/webhooks/crm"), "application/json", body,
                    "webhook-id", webhookId, "webhook-timestamp", Long.toString(timestamp),
                    "webhook-signature", Signatures.standardWebhook(secret, webhookId, timestamp, body));
            assertThat(response.statusCode()).as("signed with %s", secret).isEqualTo(202);
        }
    }

    @Test
    void wrongStaleOrMissingSignaturesAre401AndUnknownSourceIs404() throws Exception {
        String body = "{\"type\":\"t\",\"data\":{\"customer\":{\"id\":\"c\"},\"message\":\"m\"}}";
        long now = Instant.now().getEpochSecond();
        long stale = now - 301;
        long before = kafka.endOffsetSum(List.of("fte.tickets.incoming", "fte.channels.webhook.inbound"));

        HttpResponse<String> wrongSecret = Http.post(url("/webhooks/shop"), "application/json", body,
                "webhook-id", "msg_1", "webhook-timestamp", Long.toString(now),
                "webhook-signature", Signatures.standardWebhook(CRM_NEW_SECRET, "msg_1", now, body));
        HttpResponse<String> staleTimestamp = Http.post(url("/webhooks/shop"), "application/json", body,
                "webhook-id", "msg_2", "webhook-timestamp", Long.toString(stale),
                "webhook-signature", Signatures.standardWebhook(SHOP_SECRET, "msg_2", stale, body));
        HttpResponse<String> missing = Http.post(url("/webhooks/shop"), "application/json", body);
        HttpResponse<String> unknown = Http.post(url("/webhooks/nobody"), "application/json", body,
                "webhook-id", "msg_3", "webhook-timestamp", Long.toString(now),
                "webhook-signature", Signatures.standardWebhook(SHOP_SECRET, "msg_3", now, body));

        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(staleTimestamp.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(staleTimestamp.body()).get("message").asText()).contains("tolerance");
        assertThat(missing.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(missing.body()).get("error").asText()).isEqualTo("invalid_signature");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(kafka.endOffsetSum(List.of("fte.tickets.incoming", "fte.channels.webhook.inbound"))).isEqualTo(before);
    }

    @Test
    void signedButInvalidEventIs422WithTheFields() throws Exception {
        String webhookId = "msg_" + UUID.randomUUID();
        long timestamp = Instant.now().getEpochSecond();
        String body = "{\"type\":\"message.created\",\"data\":{\"customer\":{\"email\":\"nope\"},\"message\":\"\"}}";

        HttpResponse<String> response = Http.post(url("/webhooks/shop"), "application/json", body,
                "webhook-id", webhookId, "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", Signatures.standardWebhook(SHOP_SECRET, webhookId, timestamp, body));

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(response.body()).get("fields").findValuesAsText("field"))
                .containsExactlyInAnyOrder("data.customer.email", "data.message");
    }

    @Test
    void aSourceWithAShapeOfItsOwnIsReadWhereItsFieldsSayItsFieldsAre() throws Exception {
        String webhookId = "evt_" + UUID.randomUUID();
        String body = """
                {"event": "ticket.created",
                 "ticket": {"title": "Refund", "requester": {"id": 4711, "email": "Ada@Example.com", "name": "Ada Lovelace"},
                            "comments": [{"body": "Please refund order A-1."}, {"body": "A later comment."}],
                            "files": [{"name": "order.pdf", "contentType": "application/pdf"}]}}""";

        HttpResponse<String> response = Signatures.postSignedWebhook(url("/webhooks/helpdesk"), HELPDESK_SECRET, webhookId, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String ticketId = JSON.readTree(response.body()).get("ticketId").asText();
        ConsumerRecord<String, byte[]> record = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(record.key()).isEqualTo("ada@example.com");
        TicketEvent ticket = ticket(record);
        assertThat(ticket.getSource()).isEqualTo("helpdesk");
        assertThat(ticket.getCustomerName()).isEqualTo("Ada Lovelace");
        assertThat(ticket.getSubject()).isEqualTo("Refund");
        assertThat(ticket.getBody()).isEqualTo("Please refund order A-1.");
        assertThat(ticket.getDetails()).containsEntry("eventType", "ticket.created").containsEntry("customerRef", "4711");
        assertThat(ticket.getAttachments()).singleElement().satisfies(a -> assertThat(a.getName()).isEqualTo("order.pdf"));
        // the Standard Webhooks shape is not this source's: its fields are not looked for
        String standard = "{\"type\":\"message.created\",\"data\":{\"customer\":{\"email\":\"ada@example.com\"},\"message\":\"Hi\"}}";
        HttpResponse<String> refused = Signatures.postSignedWebhook(url("/webhooks/helpdesk"), HELPDESK_SECRET, "evt_" + UUID.randomUUID(), standard);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(refused.body()).get("fields").findValuesAsText("field"))
                .containsExactlyInAnyOrder("$.ticket.comments[0].body", "$.ticket.requester.email, $.ticket.requester.id");
    }

    @Test
    void aSourceWithAShapeOfItsOwnGets422NamingItsOwnPaths() throws Exception {
        String body = """
                {"event": 7, "ticket": {"requester": {"email": "not-an-address", "id": {"nested": true}},
                                       "comments": [{"body": "Help"}], "files": "order.pdf"}}""";

        HttpResponse<String> response = Signatures.postSignedWebhook(url("/webhooks/helpdesk"), HELPDESK_SECRET, "evt_" + UUID.randomUUID(), body);

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(response.body()).get("fields").toString())
                .contains("{\"field\":\"$.event\",\"message\":\"must be a string\"}")
                .contains("{\"field\":\"$.ticket.requester.email\",\"message\":\"must be a valid email address\"}")
                .contains("{\"field\":\"$.ticket.requester.id\",\"message\":\"must be a string or an integer\"}")
                .contains("{\"field\":\"$.ticket.files\",\"message\":\"must be an array\"}");
    }
}
