package intake.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Signatures;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Generated bad input across every HTTP channel: each request gets a 4xx with the JSON error
 * body, never a 5xx, and nothing reaches any topic.
 */
class MalformedRequestsTest extends IntakeIntegrationTest {

    private static final List<String> TOPICS = List.of("fte.tickets.incoming", "fte.channels.webform.inbound",
            "fte.channels.webhook.inbound", "fte.channels.whatsapp.inbound", "fte.channels.email.inbound");
    private static final String SHOP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String TWILIO_TOKEN = "test-twilio-auth-token";
    private static final String TWILIO_URL = "https://intake.example.com/whatsapp/twilio";
    private static final String META_SECRET = "test-meta-app-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Random random = new Random(20261122L);

    private record BadRequest(String kind, String path, String contentType, byte[] body, String[] headers) {
    }

    @Test
    void thousandsOfMalformedRequestsAreRefusedWithJsonErrorsAndPublishNothing() throws Exception {
        long before = kafka.endOffsetSum(TOPICS);
        List<Supplier<BadRequest>> generators = generators();
        Map<String, Integer> statusesByKind = new TreeMap<>();

        int sent = 0;
        for (int round = 0; round < 50; round++) {
            for (Supplier<BadRequest> generator : generators) {
                BadRequest bad = generator.get();
                HttpResponse<String> response = Http.post(url(bad.path()), bad.contentType(), bad.body(), bad.headers());
                sent++;
                assertThat(response.statusCode()).as("%s -> %s", bad.kind(), response.body()).isBetween(400, 499);
                JsonNode error = JSON.readTree(response.body());
                assertThat(error.get("error").asText()).as(bad.kind()).isNotBlank();
                assertThat(error.get("message").asText()).as(bad.kind()).isNotBlank();
                assertThat(error.get("correlationId").asText()).as(bad.kind()).isNotBlank();
                // FormBodyFilter's answers included, which are written before Camel runs
                assertThat(response.headers().firstValue("X-Content-Type-Options")).as(bad.kind()).contains("nosniff");
                statusesByKind.merge(bad.kind() + " " + response.statusCode(), 1, Integer::sum);
            }
        }

        assertThat(sent).isGreaterThanOrEqualTo(1000);
        assertThat(kafka.endOffsetSum(TOPICS)).as("records on %s", TOPICS).isEqualTo(before);
        assertThat(statusesByKind.keySet().stream().map(k -> k.substring(k.lastIndexOf(' ') + 1)).distinct())
                .contains("400", "401", "404", "413", "415", "422");
    }

    private List<Supplier<BadRequest>> generators() {
        List<Supplier<BadRequest>> g = new ArrayList<>();
        // web form
        g.add(() -> new BadRequest("form random bytes", "/forms/support", "application/json", randomBytes(1 + random.nextInt(300)), new String[0]));
        g.add(() -> new BadRequest("form json not an object", "/forms/support", "application/json",
                utf8(pick("[]", "42", "\"text\"", "null", "true", "[{\"name\":\"x\"}]")), new String[0]));
        g.add(() -> new BadRequest("form truncated json", "/forms/support", "application/json",
                utf8(validFormJson().substring(0, 1 + random.nextInt(40))), new String[0]));
        g.add(() -> new BadRequest("form invalid fields", "/forms/support", "application/json", utf8(invalidFormJson()), new String[0]));
        g.add(() -> new BadRequest("form wrong content type", "/forms/support",
                pick("text/plain", "application/xml", "multipart/form-data; boundary=x", null), utf8(validFormJson()), new String[0]));
        g.add(() -> new BadRequest("form too large", "/forms/support", "application/json", new byte[262_145 + random.nextInt(1000)], new String[0]));
        g.add(() -> new BadRequest("form bad urlencoding", "/forms/support", "application/x-www-form-urlencoded",
                utf8(pick("name=%zz&email=a@b.c", "name&email", "a=1&&b=2", "=&=", "email=%E2%82", "x=%", "%%%=1")), new String[0]));
        // signed webhooks
        g.add(() -> new BadRequest("webhook unsigned", "/webhooks/shop", "application/json", utf8(validWebhookJson()), new String[0]));
        g.add(() -> {
            String body = validWebhookJson();
            long ts = Instant.now().getEpochSecond();
            return new BadRequest("webhook wrong signature", "/webhooks/shop", "application/json", utf8(body),
                    webhookHeaders("msg_" + random.nextInt(), ts, "v1," + base64(randomBytes(32))));
        });
        g.add(() -> {
            String body = validWebhookJson();
            long ts = Instant.now().getEpochSecond() + pick(-1, 1) * (301 + random.nextInt(100_000));
            return new BadRequest("webhook stale timestamp", "/webhooks/shop", "application/json", utf8(body),
                    webhookHeaders("msg_s", ts, Signatures.standardWebhook(SHOP_SECRET, "msg_s", ts, body)));
        });
        g.add(() -> signedWebhook("webhook signed garbage", "application/json", "{\"type\": " + random.nextInt()));
        g.add(() -> signedWebhook("webhook signed invalid", "application/json", invalidWebhookJson()));
        g.add(() -> signedWebhook("webhook signed wrong type", "text/plain", validWebhookJson()));
        g.add(() -> new BadRequest("webhook unknown source", "/webhooks/" + pick("nobody", "SHOP", "shop2"), "application/json",
                utf8(validWebhookJson()), webhookHeaders("msg_u", Instant.now().getEpochSecond(), "v1,AAAA")));
        // Twilio
        g.add(() -> new BadRequest("twilio unsigned", "/whatsapp/twilio", "application/x-www-form-urlencoded",
                utf8(Http.form(twilioParams("whatsapp:+14155550100"))), new String[0]));
        g.add(() -> {
            Map<String, String> params = twilioParams("whatsapp:+14155550100");
            return new BadRequest("twilio wrong url signature", "/whatsapp/twilio", "application/x-www-form-urlencoded",
                    utf8(Http.form(params)), new String[] {"X-Twilio-Signature", Signatures.twilio(TWILIO_TOKEN, url("/whatsapp/twilio"), params)});
        });
        g.add(() -> {
            Map<String, String> params = twilioParams(pick("whatsapp:abc", "", "whatsapp:+0", "+12"));
            return new BadRequest("twilio signed invalid", "/whatsapp/twilio", "application/x-www-form-urlencoded",
                    utf8(Http.form(params)), new String[] {"X-Twilio-Signature", Signatures.twilio(TWILIO_TOKEN, TWILIO_URL, params)});
        });
        g.add(() -> new BadRequest("twilio json", "/whatsapp/twilio", "application/json", utf8("{\"Body\":\"hi\"}"),
                new String[] {"X-Twilio-Signature", "x"}));
        // Meta
        g.add(() -> new BadRequest("meta unsigned", "/whatsapp/meta", "application/json", utf8(metaJson()), new String[0]));
        g.add(() -> new BadRequest("meta wrong signature", "/whatsapp/meta", "application/json", utf8(metaJson()),
                new String[] {"X-Hub-Signature-256", pick("sha256=" + "ab".repeat(32), "sha1=abc", "sha256=zz", "")}));
        g.add(() -> signedMeta("meta signed garbage", randomBytes(1 + random.nextInt(200))));
        g.add(() -> signedMeta("meta signed invalid", utf8(pick("{\"object\":\"page\",\"entry\":[]}", "{\"entry\":{}}",
                "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"type\":\"text\"}]}}]}]}"))));
        return g;
    }

    private BadRequest signedWebhook(String kind, String contentType, String body) {
        String id = "msg_" + Integer.toHexString(random.nextInt());
        long ts = Instant.now().getEpochSecond();
        return new BadRequest(kind, "/webhooks/shop", contentType, utf8(body),
                webhookHeaders(id, ts, Signatures.standardWebhook(SHOP_SECRET, id, ts, body)));
    }

    private BadRequest signedMeta(String kind, byte[] body) {
        return new BadRequest(kind, "/whatsapp/meta", "application/json", body,
                new String[] {"X-Hub-Signature-256", Signatures.meta(META_SECRET, body)});
    }

    private static String[] webhookHeaders(String id, long timestamp, String signature) {
        return new String[] {"webhook-id", id, "webhook-timestamp", Long.toString(timestamp), "webhook-signature", signature};
    }

    private String validFormJson() {
        return "{\"name\":\"N" + random.nextInt(1000) + "\",\"email\":\"n@example.com\",\"subject\":\"s\",\"message\":\"m\"}";
    }

    private String invalidFormJson() {
        return pick(
                "{}",
                "{\"name\":\"n\",\"email\":\"not-an-email\",\"subject\":\"s\",\"message\":\"m\"}",
                "{\"name\":\"n\",\"email\":\"n@example.com\",\"subject\":\"" + "x".repeat(201) + "\",\"message\":\"m\"}",
                "{\"name\":1,\"email\":[],\"subject\":{},\"message\":false}",
                "{\"name\":\"n\",\"email\":\"n@example.com\",\"subject\":\"s\",\"message\":\"m\",\"orderNumber\":\"<script>\"}",
                "{\"name\":\"   \",\"email\":\"n@example.com\",\"subject\":\"s\",\"message\":\"   \"}");
    }

    private String validWebhookJson() {
        return "{\"type\":\"message.created\",\"data\":{\"customer\":{\"email\":\"c@example.com\"},\"message\":\"m" + random.nextInt() + "\"}}";
    }

    private String invalidWebhookJson() {
        return pick("{\"data\":{}}", "{\"type\":\"t\"}", "{\"type\":\"t\",\"data\":[]}",
                "{\"type\":\"t\",\"data\":{\"customer\":{\"phone\":\"12\"},\"message\":\"m\"}}",
                "{\"type\":\"t\",\"data\":{\"customer\":{},\"message\":\"m\"}}",
                "{\"type\":\"t\",\"data\":{\"customer\":{\"id\":\"c\"},\"message\":\"m\",\"attachments\":[{\"name\":1}]}}");
    }

    private Map<String, String> twilioParams(String from) {
        return Map.of("MessageSid", "SM" + Integer.toHexString(random.nextInt()), "From", from, "Body", "hello");
    }

    private String metaJson() {
        return "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"value\":{\"messages\":[{\"id\":\"wamid."
                + random.nextInt() + "\",\"from\":\"16505551234\",\"type\":\"text\",\"text\":{\"body\":\"x\"}}]}}]}]}";
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    @SafeVarargs
    private <T> T pick(T... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String base64(byte[] bytes) {
        return java.util.Base64.getEncoder().encodeToString(bytes);
    }
}
