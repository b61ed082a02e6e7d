package intake.camelmain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import intake.testing.FreePorts;
import intake.testing.Http;
import intake.testing.KafkaTopics;
import intake.testing.ProviderExamples;
import intake.testing.RawHttp;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.main.Main;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The YAML routes of src/main/resources/routes, unchanged, under plain Camel Main: no Spring,
 * platform-http on its Vert.x engine (camel-platform-http-main) with {@link VertxRequestBodies}
 * installed, Intake's own configuration files read as Camel properties, against the embedded Kafka
 * broker and PostgreSQL. The edge role only: each channel, the form-urlencoded ones (Twilio, the web
 * form posted as a form) included, gets a valid request, whose records are read back, and an
 * invalid one; a body far over its channel's limit is refused while it is still being sent.
 */
class CamelMainRoutesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** application-test.yaml's Twilio auth token and public URL: what Twilio signs is its URL, not ours. */
    private static final String TWILIO_AUTH_TOKEN = "test-twilio-auth-token";
    private static final String TWILIO_PUBLIC_URL = "https://intake.example.com/whatsapp/twilio";
    private static final String SCHEMA = "camel_main_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    private static HikariDataSource database;
    private static Main main;
    private static int port;
    private static String baseUrl;
    private static KafkaTopics kafka;

    @BeforeAll
    static void startCamelMain() throws Exception {
        database = TestDatabase.migratedSchema(SCHEMA);
        port = FreePorts.free();
        baseUrl = "http://127.0.0.1:" + port;
        Map<String, Object> settings = new HashMap<>(Map.of(
                "camel.component.kafka.brokers", TestKafka.bootstrapServers(),
                "server.port", port,
                "spring.datasource.url", TestDatabase.url(SCHEMA),
                "spring.datasource.username", TestDatabase.user(),
                "spring.datasource.password", TestDatabase.password(),
                // both roles, in topics and a consumer group of its own: the Spring Boot tests of the
                // same JVM share the broker, and this processor must neither take nor answer their tickets
                "intake.consumer.group-id", "camel-main-test",
                "intake.topics.tickets", "cm.tickets.incoming",
                "intake.topics.decisions", "cm.agent.decisions",
                "intake.topics.escalations", "cm.escalations"));
        settings.putAll(Map.of("intake.topics.agent-metrics", "cm.metrics.agent", "intake.topics.dlq", "cm.dlq",
                "intake.topics.channels.webform", "cm.channels.webform.inbound",
                "intake.topics.channels.webhook", "cm.channels.webhook.inbound",
                "intake.topics.channels.whatsapp", "cm.channels.whatsapp.inbound",
                "intake.topics.channels.email", "cm.channels.email.inbound"));
        main = IntakeCamelMain.create(IntakeCamelMain.settings(List.of("test"), settings));
        main.start();
        kafka = new KafkaTopics(TestKafka.bootstrapServers());
    }

    @AfterAll
    static void stopCamelMain() {
        if (main != null) {
            main.stop();
        }
        if (database != null) {
            database.close();
            TestDatabase.dropSchema(SCHEMA);
        }
    }

    @Test
    void theRoutesRunWithoutSpring() {
        assertThat(main.getCamelContext().getClass().getName()).doesNotContain("Spring");
        assertThat(main.getCamelContext().getRouteController().getRouteStatus("forms-support-ingress").isStarted()).isTrue();
        assertThat(main.getCamelContext().getRouteController().getRouteStatus("tickets-consume").isStarted()).isTrue();
    }

    @Test
    void theProcessorDecidesAnAcceptedTicket() throws Exception {
        String body = "{\"name\":\"Alan\",\"email\":\"alan.main@example.com\",\"subject\":\"Refund\","
                + "\"message\":\"Please refund my invoice, I was charged twice.\"}";
        HttpResponse<String> accepted = Http.post(baseUrl + "/forms/support", "application/json", body);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        JsonNode reply = JSON.readTree(accepted.body());
        String ticketId = reply.get("ticketId").asText();

        // tickets-consume decided it: its decision is on the decisions topic and behind the status URL
        ConsumerRecord<String, byte[]> decision = kafka.awaitRecords("cm.agent.decisions",
                Records.aboutTicket(ticketId), 1).get(0);
        assertThat(decision.key()).isEqualTo("alan.main@example.com");
        HttpResponse<String> status = Http.get(baseUrl + reply.get("statusUrl").asText());
        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
        assertThat(JSON.readTree(status.body()).get("category").asText()).isEqualTo("billing");
    }

    // What VertxRequestBodies changed, as the started consumers see it (the routes still say
    // useStreaming: true): no streaming and no body handler is Camel's request-unread mode.
    @Test
    void onlyThePostChannelsGetTheirRequestUnread() {
        Map<String, String> bodyHandling = new TreeMap<>();
        for (Route route : main.getCamelContext().getRoutes()) {
            if (route.getEndpoint() instanceof PlatformHttpEndpoint http) {
                bodyHandling.put(route.getRouteId(), "streaming " + http.isUseStreaming() + ", body handler " + http.isUseBodyHandler());
            }
        }

        assertThat(bodyHandling)
                .containsEntry("forms-support-ingress", "streaming false, body handler false")
                .containsEntry("webhooks-ingress", "streaming false, body handler false")
                .containsEntry("whatsapp-twilio-ingress", "streaming false, body handler false")
                .containsEntry("whatsapp-meta-ingress", "streaming false, body handler false")
                .containsEntry("forms-support-page", "streaming false, body handler true")
                .containsEntry("tickets-status", "streaming false, body handler true")
                .containsEntry("whatsapp-meta-handshake", "streaming false, body handler true");
    }

    @Test
    void theWebFormPublishesItsTicketAndRawPayload() throws Exception {
        String correlationId = "camel-main-form-" + UUID.randomUUID();
        String body = "{\"name\":\"Ada Lovelace\",\"email\":\"ada.main@example.com\",\"subject\":\"Invoice\","
                + "\"message\":\"I was charged twice.\"}";
        // a query parameter named like a kept header: never stored as the header
        HttpResponse<String> response = Http.post(baseUrl + "/forms/support?user-agent=forged", "application/json", body,
                "User-Agent", "camel-main-test", "X-Correlation-ID", correlationId);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String ticketId = JSON.readTree(response.body()).get("ticketId").asText();
        ConsumerRecord<String, byte[]> ticketRecord = kafka.awaitRecords("cm.tickets.incoming",
                Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(ticketRecord.key()).isEqualTo("ada.main@example.com");
        TicketEvent ticket = Records.ticket(ticketRecord);
        assertThat(ticket.getBody()).isEqualTo("I was charged twice.");
        assertThat(ticket.getChannel()).isEqualTo("webform");

        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("cm.channels.webform.inbound",
                Records.withHeader("intake_correlation_id", correlationId), 1).get(0);
        assertThat(new String(raw.value(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(Records.header(raw, "intake_http_user-agent")).isEqualTo("camel-main-test");
        assertThat(Records.header(raw, "intake_http_content-type")).isEqualTo("application/json");
    }

    @Test
    void anInvalidFormIsA422ListingItsFieldsAndPublishesNothing() throws Exception {
        String correlationId = "camel-main-invalid-" + UUID.randomUUID();
        HttpResponse<String> response = Http.post(baseUrl + "/forms/support", "application/json",
                "{\"name\":\"Ada\",\"email\":\"not-an-address\",\"message\":\"\"}", "X-Correlation-ID", correlationId);

        assertThat(response.statusCode()).isEqualTo(422);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo("invalid_fields");
        assertThat(error.get("correlationId").asText()).isEqualTo(correlationId);
        assertThat(error.get("fields").toString()).contains("email", "message");
        assertThat(kafka.readAll("cm.channels.webform.inbound"))
                .noneMatch(Records.withHeader("intake_correlation_id", correlationId));
    }

    // 50 MiB streamed chunked against a 256 KiB limit: the client counts what it managed to send
    // before the answer and the close. Vert.x stops reading the socket when nobody reads the body,
    // so that stays the limit, the drain after the answer, and what the socket buffers hold.
    @Test
    void aChunkedBodyFarOverTheLimitIsRefusedWithoutBeingRead() {
        long total = 50L * 1024 * 1024;
        RawHttp.Answer answer = RawHttp.chunkedBody(port, "/forms/support", total, "Content-Type", "application/json");

        assertThat(answer.status()).isEqualTo(413);
        assertThat(answer.body()).contains("\"error\":\"payload_too_large\"");
        assertThat(answer.bodyBytesSent()).as("bytes the client could send").isLessThan(total / 2);
    }

    // A declared length over the limit is refused from the headers, the body unread. Vert.x would
    // keep that request paused and never read the next one on the connection; the drain lets it.
    @Test
    void aDeclaredLengthOverTheLimitIsRefusedAndTheConnectionServesTheNextRequest() {
        List<RawHttp.Answer> answers = RawHttp.onOneConnection(port,
                RawHttp.post("/forms/support", new byte[300 * 1024], "Content-Type", "application/json"),
                RawHttp.post("/forms/support", "{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8),
                        "Content-Type", "application/json"));

        assertThat(answers).extracting(RawHttp.Answer::status).containsExactly(413, 422);
    }

    @Test
    void theWebFormPostedAsAFormIsAcceptedWithItsRawBytes() throws Exception {
        String correlationId = "camel-main-urlencoded-" + UUID.randomUUID();
        String body = "name=Ada+Lovelace&email=ada.form%40example.com&subject=Invoice&message=Charged+twice+%E2%82%AC";

        HttpResponse<String> response = Http.post(baseUrl + "/forms/support", "application/x-www-form-urlencoded", body,
                "X-Correlation-ID", correlationId);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String ticketId = JSON.readTree(response.body()).get("ticketId").asText();
        TicketEvent ticket = Records.ticket(kafka.awaitRecords("cm.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0));
        assertThat(ticket.getBody()).isEqualTo("Charged twice €");
        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("cm.channels.webform.inbound",
                Records.withHeader("intake_correlation_id", correlationId), 1).get(0);
        assertThat(raw.value()).isEqualTo(body.getBytes(StandardCharsets.US_ASCII));
        assertThat(Records.header(raw, "intake_http_content-type")).isEqualTo("application/x-www-form-urlencoded");
    }

    @Test
    void aSignedTwilioWhatsAppMessageIsAcceptedWithItsRawBytes() throws Exception {
        String messageSid = "SM" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> params = ProviderExamples.twilioWhatsApp(messageSid);
        String body = Http.form(params);

        HttpResponse<String> response = Http.post(baseUrl + "/whatsapp/twilio", "application/x-www-form-urlencoded", body,
                "X-Twilio-Signature", Signatures.twilio(TWILIO_AUTH_TOKEN, TWILIO_PUBLIC_URL, params));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).contains("<Response></Response>");
        String ticketId = Tickets.ticketId("whatsapp", "twilio", messageSid).toString();
        TicketEvent ticket = Records.ticket(kafka.awaitRecords("cm.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0));
        assertThat(ticket.getBody()).isEqualTo("Hello, my parcel is late 📦");
        assertThat(ticket.getSourceMessageId()).isEqualTo(messageSid);
        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("cm.channels.whatsapp.inbound",
                Records.withHeader("intake_http_x-twilio-signature", Signatures.twilio(TWILIO_AUTH_TOKEN, TWILIO_PUBLIC_URL, params)), 1)
                .get(0);
        assertThat(raw.value()).isEqualTo(body.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aTwilioMessageSignedWithAnotherTokenIsA401AndPublishesNothing() throws Exception {
        Map<String, String> params = ProviderExamples.twilioWhatsApp("SM" + UUID.randomUUID().toString().replace("-", ""));
        String forgedSignature = Signatures.twilio("someone-elses-token", TWILIO_PUBLIC_URL, params);

        HttpResponse<String> response = Http.post(baseUrl + "/whatsapp/twilio", "application/x-www-form-urlencoded",
                Http.form(params), "X-Twilio-Signature", forgedSignature);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("invalid_signature");
        assertThat(kafka.readAll("cm.channels.whatsapp.inbound"))
                .noneMatch(Records.withHeader("intake_http_x-twilio-signature", forgedSignature));
        assertThat(kafka.readAll("cm.tickets.incoming"))
                .noneMatch(Records.withHeader("ce_id", Tickets.ticketId("whatsapp", "twilio", params.get("MessageSid")).toString()));
    }

    @Test
    void aSignedWebhookIsAcceptedAndAWrongSignatureIsA401() throws Exception {
        String webhookId = "msg_camel_main_" + UUID.randomUUID();
        String body = "{\"type\":\"message.created\",\"data\":{\"customer\":{\"email\":\"grace.main@example.com\","
                + "\"name\":\"Grace\"},\"subject\":\"Login\",\"message\":\"I cannot log in.\"}}";

        HttpResponse<String> accepted = Signatures.postSignedWebhook(baseUrl + "/webhooks/shop",
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", webhookId, body);
        HttpResponse<String> forged = Signatures.postSignedWebhook(baseUrl + "/webhooks/shop",
                "whsec_b2xkLXNlY3JldC1iZWluZy1yb3RhdGVkLW91dA==", webhookId + "-forged", body);

        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String ticketId = JSON.readTree(accepted.body()).get("ticketId").asText();
        ConsumerRecord<String, byte[]> ticket = kafka.awaitRecords("cm.tickets.incoming",
                Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(ticket.key()).isEqualTo("grace.main@example.com");
        assertThat(kafka.awaitRecords("cm.channels.webhook.inbound", Records.withHeader("intake_http_webhook-id", webhookId), 1))
                .hasSize(1);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(forged.body()).get("error").asText()).isEqualTo("invalid_signature");
    }

    @Test
    void metaWhatsAppAnswersTheHandshakeAndTakesASignedMessage() throws Exception {
        HttpResponse<String> handshake = Http.get(baseUrl
                + "/whatsapp/meta?hub.mode=subscribe&hub.verify_token=test-meta-verify-token&hub.challenge=4242");
        HttpResponse<String> wrongToken = Http.get(baseUrl
                + "/whatsapp/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=4242");
        String messageId = "wamid.camelmain" + System.nanoTime();
        byte[] body = ("{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"messages\","
                + "\"value\":{\"metadata\":{\"phone_number_id\":\"106540352242922\"},\"contacts\":[{\"profile\":{\"name\":\"Sheena\"},"
                + "\"wa_id\":\"16505550123\"}],\"messages\":[{\"from\":\"16505550123\",\"id\":\"" + messageId + "\","
                + "\"timestamp\":\"1749416383\",\"type\":\"text\",\"text\":{\"body\":\"Hi!\"}}]}}]}]}").getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> accepted = Http.post(baseUrl + "/whatsapp/meta", "application/json", body,
                "X-Hub-Signature-256", Signatures.meta("test-meta-app-secret", body));
        HttpResponse<String> forged = Http.post(baseUrl + "/whatsapp/meta", "application/json", body,
                "X-Hub-Signature-256", Signatures.meta("someone-elses-secret", body));

        assertThat(handshake.statusCode()).isEqualTo(200);
        assertThat(handshake.body()).isEqualTo("4242");
        assertThat(wrongToken.statusCode()).isEqualTo(403);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
        String ticketId = JSON.readTree(accepted.body()).get("ticketIds").get(0).asText();
        assertThat(kafka.awaitRecords("cm.tickets.incoming", Records.withHeader("ce_id", ticketId), 1)).hasSize(1);
        assertThat(forged.statusCode()).isEqualTo(401);
    }
}
