package intake.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.ticket.Tickets;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A provider's retry, or a web form request repeating its Idempotency-Key, gets the original
 * answer and lands on Kafka once: one TicketEvent and one raw record (the email channel's case is
 * in EmailChannelTest). Real broker, real PostgreSQL.
 */
class EdgeDedupTest extends IntakeIntegrationTest {

    private static final String SHOP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String TWILIO_URL = "https://intake.example.com/whatsapp/twilio";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORM = """
            {"name":"Ada Lovelace","email":"ada@example.com","subject":"Invoice","message":"I was charged twice."}""";

    @Test
    void aWebhookRetryGetsTheOriginalAnswerAndPublishesNothing() throws Exception {
        String webhookId = "msg_" + UUID.randomUUID();
        double duplicates = metric("intake_requests_duplicate_total", "channel=\"webhook\"");

        HttpResponse<String> first = webhook(webhookId);
        HttpResponse<String> retry = webhook(webhookId);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.body()).as("the same ticketId, correlationId and statusUrl").isEqualTo(first.body());
        String ticketId = JSON.readTree(first.body()).get("ticketId").asText();
        assertThat(ticketId).isEqualTo(Tickets.ticketId("webhook", "shop", webhookId).toString());
        assertThat(count("fte.tickets.incoming", "ce_id", ticketId)).isEqualTo(1);
        assertThat(count("fte.channels.webhook.inbound", "intake_http_webhook-id", webhookId)).isEqualTo(1);
        assertThat(metric("intake_requests_duplicate_total", "channel=\"webhook\"")).isEqualTo(duplicates + 1);
    }

    @Test
    void concurrentDeliveriesOfOneWebhookPublishOnce() throws Exception {
        String webhookId = "msg_" + UUID.randomUUID();

        List<HttpResponse<String>> responses = concurrently(8, () -> webhook(webhookId));

        String ticketId = Tickets.ticketId("webhook", "shop", webhookId).toString();
        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(202, 409).contains(202);
        for (HttpResponse<String> response : responses) {
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() == 202) {
                assertThat(body.get("ticketId").asText()).isEqualTo(ticketId);
            } else {
                assertThat(body.get("error").asText()).isEqualTo("request_in_progress");
            }
        }
        assertThat(count("fte.tickets.incoming", "ce_id", ticketId)).isEqualTo(1);
        assertThat(count("fte.channels.webhook.inbound", "intake_http_webhook-id", webhookId)).isEqualTo(1);
        assertThat(webhook(webhookId).statusCode()).as("once published, every delivery is answered").isEqualTo(202);
    }

    @Test
    void aTwilioRetryGetsTheSameTwimlAndPublishesNothing() {
        String messageSid = "SM" + UUID.randomUUID().toString().replace("-", "");

        HttpResponse<String> first = twilio(messageSid);
        HttpResponse<String> retry = twilio(messageSid);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body()).contains("<Response></Response>");
        assertThat(retry.headers().firstValue("Content-Type")).isEqualTo(first.headers().firstValue("Content-Type"));
        assertThat(count("fte.tickets.incoming", "ce_id", Tickets.ticketId("whatsapp", "twilio", messageSid).toString())).isEqualTo(1);
        assertThat(count("fte.channels.whatsapp.inbound", "intake_correlation_id", correlationId(first))).isEqualTo(1);
        assertThat(correlationId(retry)).as("the original answer's correlation id").isEqualTo(correlationId(first));
    }

    @Test
    void aMetaCallIsAnsweredAsTheOriginalWhenAllItsMessagesWereSeenAndPublishesOnlyItsNewOnes() throws Exception {
        String seen = "wamid." + UUID.randomUUID();
        String fresh = "wamid." + UUID.randomUUID();
        String seenTicket = Tickets.ticketId("whatsapp", "meta", seen).toString();
        String freshTicket = Tickets.ticketId("whatsapp", "meta", fresh).toString();

        HttpResponse<String> first = meta(seen);
        HttpResponse<String> retry = meta(seen);
        HttpResponse<String> mixed = meta(seen, fresh);

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(count("fte.channels.whatsapp.inbound", "intake_correlation_id", correlationId(first)))
                .as("no second raw record for the retry").isEqualTo(1);

        assertThat(mixed.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(mixed.body());
        assertThat(answer.get("ticketIds")).extracting(JsonNode::asText).containsExactly(seenTicket, freshTicket);
        assertThat(answer.get("correlationId").asText()).as("a new call, with a new message").isNotEqualTo(correlationId(first));
        assertThat(count("fte.tickets.incoming", "ce_id", seenTicket)).isEqualTo(1);
        assertThat(count("fte.tickets.incoming", "ce_id", freshTicket)).isEqualTo(1);
        assertThat(count("fte.channels.whatsapp.inbound", "intake_correlation_id", correlationId(mixed))).isEqualTo(1);
    }

    @Test
    void theWebFormRepeatsItsAnswerForTheSameIdempotencyKeyAndBodyAndRefusesAnotherBody() throws Exception {
        String key = UUID.randomUUID().toString();

        HttpResponse<String> first = form(FORM, "\"" + key + "\"");
        HttpResponse<String> retry = form(FORM, "\"" + key + "\"");
        HttpResponse<String> otherBody = form(FORM.replace("twice", "three times"), "\"" + key + "\"");
        HttpResponse<String> withoutKey = form(FORM, null);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.body()).as("the same ticketId, correlationId and statusUrl").isEqualTo(first.body());
        String ticketId = JSON.readTree(first.body()).get("ticketId").asText();
        assertThat(count("fte.tickets.incoming", "ce_id", ticketId)).isEqualTo(1);
        assertThat(count("fte.channels.webform.inbound", "intake_http_idempotency-key", "\"" + key + "\"")).isEqualTo(1);

        assertThat(otherBody.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(otherBody.body()).get("error").asText()).isEqualTo("idempotency_key_reused");
        assertThat(count("fte.channels.webform.inbound", "intake_http_idempotency-key", "\"" + key + "\"")).isEqualTo(1);

        assertThat(withoutKey.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(withoutKey.body()).get("ticketId").asText()).as("no key: a new ticket").isNotEqualTo(ticketId);
    }

    @Test
    void concurrentWebFormRequestsWithOneKeyMakeOneTicket() throws Exception {
        String key = UUID.randomUUID().toString();

        List<HttpResponse<String>> responses = concurrently(6, () -> form(FORM, key));

        assertThat(responses).extracting(HttpResponse::statusCode).containsOnly(202, 409).contains(202);
        List<String> ticketIds = new ArrayList<>();
        for (HttpResponse<String> response : responses) {
            if (response.statusCode() == 202) {
                ticketIds.add(JSON.readTree(response.body()).get("ticketId").asText());
            }
        }
        assertThat(ticketIds).containsOnly(ticketIds.get(0));
        assertThat(count("fte.tickets.incoming", "ce_id", ticketIds.get(0))).isEqualTo(1);
        assertThat(count("fte.channels.webform.inbound", "intake_http_idempotency-key", key)).isEqualTo(1);
    }

    @Test
    void aMalformedIdempotencyKeyIs400() throws Exception {
        HttpResponse<String> response = form(FORM, "not a key");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("invalid_idempotency_key");
    }

    private HttpResponse<String> webhook(String webhookId) {
        return Signatures.postSignedWebhook(url("/webhooks/shop"), SHOP_SECRET, webhookId,
                "{\"type\":\"message.created\",\"data\":{\"customer\":{\"email\":\"bob@example.com\"},\"message\":\"Hi\"}}");
    }

    private HttpResponse<String> twilio(String messageSid) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("MessageSid", messageSid);
        params.put("From", "whatsapp:+14155550100");
        params.put("Body", "Is my parcel coming?");
        return Http.post(url("/whatsapp/twilio"), "application/x-www-form-urlencoded", Http.form(params),
                "X-Twilio-Signature", Signatures.twilio("test-twilio-auth-token", TWILIO_URL, params));
    }

    private HttpResponse<String> meta(String... wamids) {
        List<String> messages = new ArrayList<>();
        for (String wamid : wamids) {
            messages.add("{\"from\":\"16505551234\",\"id\":\"" + wamid + "\",\"timestamp\":\"1749416383\",\"type\":\"text\",\"text\":{\"body\":\"Hi!\"}}");
        }
        byte[] body = ("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\","
                + "\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"phone_number_id\":\"1\"},\"messages\":["
                + String.join(",", messages) + "]}}]}]}").getBytes(StandardCharsets.UTF_8);
        return Http.post(url("/whatsapp/meta"), "application/json", body,
                "X-Hub-Signature-256", Signatures.meta("test-meta-app-secret", body));
    }

    private HttpResponse<String> form(String body, String idempotencyKey) {
        return idempotencyKey == null ? Http.post(url("/forms/support"), "application/json", body)
                : Http.post(url("/forms/support"), "application/json", body, "Idempotency-Key", idempotencyKey);
    }

    private static String correlationId(HttpResponse<String> response) {
        return response.headers().firstValue("X-Correlation-ID").orElseThrow();
    }

    private long count(String topic, String header, String value) {
        return kafka.readAll(topic).stream().filter(Records.withHeader(header, value)).count();
    }

    /** The same request from several threads at once, released together. */
    private static List<HttpResponse<String>> concurrently(int threads, Supplier<HttpResponse<String>> request) throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    gate.await();
                    return request.get();
                }));
            }
            gate.countDown();
            List<HttpResponse<String>> responses = new ArrayList<>();
            for (Future<HttpResponse<String>> future : futures) {
                responses.add(future.get());
            }
            return responses;
        } finally {
            pool.shutdownNow();
        }
    }
}
