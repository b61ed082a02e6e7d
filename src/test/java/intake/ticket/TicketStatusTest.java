package intake.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Signatures;
import intake.wiring.RouteBeans;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/**
 * GET /tickets/{id} is a capability: only the statusUrl of the 202 answer (the id and its token)
 * reads a ticket, and every other token gets the very 404 of a ticket not processed yet.
 */
class TicketStatusTest extends IntakeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHOP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String STATUS_URL = "/tickets/[0-9a-f-]{36}\\?token=[A-Za-z0-9_-]{43}";

    @Autowired
    CamelContext camelContext;

    @Autowired
    RouteBeans routeBeans;

    @Value("${intake.tickets.status-secrets[1]}")
    String rotatingOutSecret;

    @Test
    void theStatusUrlAnswers404UntilTheTicketIsProcessedAnd200WithTheDecisionAfter() throws Exception {
        String ticketId;
        String statusUrl;
        HttpResponse<String> queued;
        camelContext.getRouteController().stopRoute("tickets-consume");
        try {
            HttpResponse<String> accepted = postForm("status.capability@example.com");
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            assertThat(accepted.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            JsonNode reply = JSON.readTree(accepted.body());
            ticketId = reply.get("ticketId").asText();
            statusUrl = reply.get("statusUrl").asText();
            assertThat(statusUrl).matches(STATUS_URL).startsWith("/tickets/" + ticketId + "?token=");

            queued = Http.get(url(statusUrl));
            assertThat(queued.statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(queued.body()).get("error").asText()).isEqualTo("not_found");
            assertThat(queued.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertWrongTokensGetTheAnswerOf(queued, ticketId);
        } finally {
            camelContext.getRouteController().startRoute("tickets-consume");
        }

        HttpResponse<String> processed = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.get(url(statusUrl)), response -> response.statusCode() == 200);
        JsonNode decision = JSON.readTree(processed.body());
        assertThat(decision.get("ticketId").asText()).isEqualTo(ticketId);
        assertThat(decision.get("status").asText()).isEqualTo("processed");
        assertThat(decision.get("category").asText()).isEqualTo("billing");
        assertThat(decision.get("reply").asText()).contains(ticketId);
        assertThat(processed.headers().firstValue("X-Content-Type-Options")).contains("nosniff");

        // once processed, a wrong token still gets what a queued ticket got: no oracle for ids that exist
        assertWrongTokensGetTheAnswerOf(queued, ticketId);
    }

    @Test
    void aTokenSignedWithTheSecretThatIsRotatingOutIsStillAccepted() throws Exception {
        String ticketId = JSON.readTree(postForm("status.rotation@example.com").body()).get("ticketId").asText();
        String oldToken = new StatusTokens(List.of(rotatingOutSecret)).token(ticketId);
        assertThat(oldToken).isNotEqualTo(routeBeans.statusTokens().token(ticketId));

        HttpResponse<String> status = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.get(url("/tickets/" + ticketId + "?token=" + oldToken)), response -> response.statusCode() == 200);

        assertThat(JSON.readTree(status.body()).get("ticketId").asText()).isEqualTo(ticketId);
    }

    @Test
    void theWebhooks202CarriesAStatusUrlToo() throws Exception {
        String webhookId = "msg_" + UUID.randomUUID();
        long timestamp = Instant.now().getEpochSecond();
        String body = """
                {"type": "message.created", "data": {"customer": {"email": "status.webhook@example.com", "name": "Alan"},
                 "subject": "Login", "message": "I cannot log in."}}""";

        HttpResponse<String> accepted = Http.post(url("/webhooks/shop"), "application/json", body,
                "webhook-id", webhookId, "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", Signatures.standardWebhook(SHOP_SECRET, webhookId, timestamp, body));

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode reply = JSON.readTree(accepted.body());
        String ticketId = reply.get("ticketId").asText();
        assertThat(ticketId).isEqualTo(Tickets.ticketId("webhook", "shop", webhookId).toString());
        assertThat(reply.get("statusUrl").asText()).matches(STATUS_URL).isEqualTo(routeBeans.statusTokens().statusUrl(ticketId));
        HttpResponse<String> status = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.get(url(reply.get("statusUrl").asText())), response -> response.statusCode() == 200);
        assertThat(JSON.readTree(status.body()).get("status").asText()).isEqualTo("processed");
        // the id alone, which anyone who saw the webhook-id can derive (ADR 0003), reads nothing
        assertThat(Http.get(url("/tickets/" + ticketId)).statusCode()).isEqualTo(404);
    }

    @Test
    void anUnknownTicketIs404EvenWithItsOwnValidToken() throws Exception {
        String unknown = UUID.randomUUID().toString();

        HttpResponse<String> response = Http.get(url(routeBeans.statusTokens().statusUrl(unknown)));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(withoutCorrelationId(response).toString()).isEqualTo("""
                {"error":"not_found","message":"No processed ticket has id '%s'; a ticket accepted moments ago may still be queued"}"""
                .formatted(unknown));
    }

    /** No token, a wrong one, another ticket's, and one character changed: each the same 404 as {@code expected}. */
    private void assertWrongTokensGetTheAnswerOf(HttpResponse<String> expected, String ticketId) throws Exception {
        String token = routeBeans.statusTokens().token(ticketId);
        char[] changed = token.toCharArray();
        changed[0] = changed[0] == 'A' ? 'B' : 'A';
        List<String> wrong = List.of("/tickets/" + ticketId,
                "/tickets/" + ticketId + "?token=",
                "/tickets/" + ticketId + "?token=not-a-token",
                "/tickets/" + ticketId + "?token=" + routeBeans.statusTokens().token(UUID.randomUUID().toString()),
                "/tickets/" + ticketId + "?token=" + new String(changed));
        for (String path : wrong) {
            HttpResponse<String> response = Http.get(url(path));
            assertThat(response.statusCode()).as(path).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).as(path).isEqualTo(expected.headers().firstValue("Content-Type"));
            assertThat(withoutCorrelationId(response)).as(path).isEqualTo(withoutCorrelationId(expected));
        }
    }

    private static ObjectNode withoutCorrelationId(HttpResponse<String> response) throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(response.body());
        assertThat(body.get("correlationId").asText()).isNotBlank();
        body.remove("correlationId");
        return body;
    }

    private HttpResponse<String> postForm(String email) {
        return Http.post(url("/forms/support"), "application/json", """
                {"name":"Ada","email":"%s","subject":"Invoice","message":"I was charged twice for my invoice."}""".formatted(email));
    }
}
