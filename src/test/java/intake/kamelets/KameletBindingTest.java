package intake.kamelets;

import static intake.testing.Records.header;
import static intake.testing.Records.withHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import intake.config.RequestBodyFilter;
import intake.ingress.KeptRequestHeaders;
import intake.testing.FreePorts;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.ProviderExamples;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

/**
 * One implementation per channel: every source Kamelet, bound to the ticket sink as a Camel K user
 * binds it (the Pipes in {@code src/test/resources/kamelet-bindings}), runs beside Intake's own
 * routes in one Spring Boot application, configured with the routes' own settings. The same
 * request, sent to a route and to its binding, publishes the same records: on the same topics, with
 * the same key, partition and header names, and equal headers and values but for what two requests
 * never share (message ids, ticket ids, correlation ids, times, and the signatures over them). A
 * bad request gets the same status and JSON error from both, and publishes nothing.
 *
 * <p>What a Kamelet cannot do (edge dedup, the breaker and the outbox) its description says; with
 * the broker up and different message ids none of it changes a record. docs/routes.md#kamelets
 * says what is compared and why the bindings' paths bypass Intake's RequestBodyFilter.
 */
@TestPropertySource(properties = {
        // the Kamelets of kamelets/, as a Camel K user gets them
        "camel.component.kamelet.location=file:kamelets",
        "camel.main.routes-include-pattern=classpath:routes/*.camel.yaml,classpath:kamelet-bindings/*.pipe.yaml"})
@Import(KameletBindingTest.KameletPaths.class)
class KameletBindingTest extends IntakeIntegrationTest {

    /** Every binding's path starts with this (the Pipes). */
    static final String KAMELET_PATHS = "/kamelet/";
    private static final String TICKETS = "fte.tickets.incoming";
    private static final String CORRELATION = "intake_correlation_id";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SHOP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String TWILIO_TOKEN = "test-twilio-auth-token";
    private static final String TWILIO_PUBLIC_URL = "https://intake.example.com";
    private static final String META_SECRET = "test-meta-app-secret";

    private static final String MAILBOX = "support@intake.test";
    private static final String MAILBOX_PASSWORD = "mailbox-password";
    /** The route's mailbox and the binding's: one name on two servers, so each poller sees only its own mails. */
    private static final GreenMail ROUTE_IMAP = imap();
    private static final GreenMail KAMELET_IMAP = imap();

    @DynamicPropertySource
    static void mailboxes(DynamicPropertyRegistry registry) {
        registry.add("intake.channels.email.enabled", () -> "true");
        registry.add("intake.channels.email.protocol", () -> "imap");
        registry.add("intake.channels.email.host", () -> "127.0.0.1");
        registry.add("intake.channels.email.port", () -> ROUTE_IMAP.getImap().getPort());
        registry.add("intake.channels.email.username", () -> MAILBOX);
        registry.add("intake.channels.email.password", () -> MAILBOX_PASSWORD);
        registry.add("intake.channels.email.poll-delay-ms", () -> "200");
        registry.add("kamelet-bindings.imap-port", () -> KAMELET_IMAP.getImap().getPort());
    }

    @AfterAll
    static void stopImap() {
        ROUTE_IMAP.stop();
        KAMELET_IMAP.stop();
    }

    // =========================================================================== the same records

    @Test
    void theWebFormBindingPublishesWhatTheRoutePublishes() throws Exception {
        String form = """
                {"name": "Grace Hopper", "email": "Grace.Hopper@Example.COM", "subject": "Invoice twice",
                 "message": "I was charged twice for order A-1001.", "orderNumber": "A-1001"}""";
        Call route = Call.to("/forms/support", "key-");
        Call kamelet = Call.to("/kamelet/forms/support", "key-");

        HttpResponse<String> routeReply = Http.post(url(route.path()), "application/json", form, "X-Correlation-ID", route.correlationId(),
                "Idempotency-Key", route.messageId(), "User-Agent", "intake-test", "Cookie", "session=never-stored");
        HttpResponse<String> kameletReply = Http.post(url(kamelet.path()), "application/json", form, "X-Correlation-ID", kamelet.correlationId(),
                "Idempotency-Key", kamelet.messageId(), "User-Agent", "intake-test", "Cookie", "session=never-stored");

        assertThat(routeReply.statusCode()).as(routeReply.body()).isEqualTo(202);
        Ids ids = assertSameRecords("webform", route, kamelet, 1, Set.of("content-type", "user-agent", "idempotency-key"), Set.of());
        assertSameJsonReply(routeReply, kameletReply, ids);
    }

    @Test
    void theWebhooksBindingPublishesWhatTheRoutePublishes() throws Exception {
        String event = """
                {"type": "message.created", "timestamp": "2026-11-22T10:00:00Z",
                 "data": {"customer": {"id": "cus_42", "phone": "+44 20 7946 0958", "name": "Alan Turing"},
                          "subject": "Order stuck", "message": "My order has not shipped.",
                          "attachments": [{"name": "receipt.pdf", "contentType": "application/pdf", "sizeBytes": 5120,
                                           "url": "https://files.example.com/r/1"}]}}""";
        Call route = Call.to("/webhooks/shop", "msg_");
        Call kamelet = Call.to("/kamelet/webhooks/shop", "msg_");
        // one timestamp for both: only the webhook-id, and so the signature, tells them apart
        long timestamp = Instant.now().getEpochSecond();

        HttpResponse<String> routeReply = postWebhook(route, event, timestamp);
        HttpResponse<String> kameletReply = postWebhook(kamelet, event, timestamp);

        assertThat(routeReply.statusCode()).as(routeReply.body()).isEqualTo(202);
        Ids ids = assertSameRecords("webhook", route, kamelet, 1,
                Set.of("content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"), Set.of("webhook-signature"));
        assertSameJsonReply(routeReply, kameletReply, ids);
    }

    @Test
    void theTwilioBindingPublishesWhatTheRoutePublishes() {
        Call route = Call.to("/whatsapp/twilio", "SM");
        Call kamelet = Call.to("/kamelet/whatsapp/twilio", "SM");

        HttpResponse<String> routeReply = postTwilio(route, ProviderExamples.twilioWhatsApp(route.messageId()));
        HttpResponse<String> kameletReply = postTwilio(kamelet, ProviderExamples.twilioWhatsApp(kamelet.messageId()));

        assertThat(routeReply.statusCode()).as(routeReply.body()).isEqualTo(200);
        assertSameRecords("whatsapp", route, kamelet, 1,
                Set.of("content-type", "user-agent", "x-twilio-signature", "i-twilio-idempotency-token"), Set.of("x-twilio-signature"));
        assertThat(kameletReply.statusCode()).isEqualTo(routeReply.statusCode());
        assertThat(contentType(kameletReply)).isEqualTo(contentType(routeReply));
        assertThat(kameletReply.body()).isEqualTo(routeReply.body());
    }

    @Test
    void theMetaBindingPublishesWhatTheRoutePublishes() throws Exception {
        Call route = Call.to("/whatsapp/meta", "wamid.");
        Call kamelet = Call.to("/kamelet/whatsapp/meta", "wamid.");

        HttpResponse<String> routeReply = postMeta(route, metaNotification(route.messageId()), META_SECRET);
        HttpResponse<String> kameletReply = postMeta(kamelet, metaNotification(kamelet.messageId()), META_SECRET);

        assertThat(routeReply.statusCode()).as(routeReply.body()).isEqualTo(200);
        Ids ids = assertSameRecords("whatsapp", route, kamelet, 2, Set.of("content-type", "user-agent", "x-hub-signature-256"),
                Set.of("x-hub-signature-256"));
        assertSameJsonReply(routeReply, kameletReply, ids);
    }

    @Test
    void theMetaBindingAnswersTheSubscriptionHandshakeAsTheRouteDoes() {
        String query = "?hub.mode=subscribe&hub.verify_token=test-meta-verify-token&hub.challenge=1158201444";

        HttpResponse<String> route = Http.get(url("/whatsapp/meta" + query));
        HttpResponse<String> kamelet = Http.get(url("/kamelet/whatsapp/meta" + query));

        assertThat(route.statusCode()).isEqualTo(200);
        assertThat(kamelet.statusCode()).isEqualTo(200);
        assertThat(contentType(kamelet)).isEqualTo(contentType(route));
        assertThat(kamelet.body()).isEqualTo(route.body()).isEqualTo("1158201444");
    }

    @Test
    void theEmailBindingPublishesWhatTheRoutePublishes() throws Exception {
        String routeMessageId = "<" + UUID.randomUUID() + "@customer.example>";
        String kameletMessageId = "<" + UUID.randomUUID() + "@customer.example>";

        deliver(ROUTE_IMAP, routeMessageId);
        deliver(KAMELET_IMAP, kameletMessageId);

        // a mail has no correlation id of its own: each poller makes one, found on its ticket
        Call route = new Call("imap", routeMessageId, correlationIdOf(Tickets.ticketId("email", MAILBOX, routeMessageId)));
        Call kamelet = new Call("imap", kameletMessageId, correlationIdOf(Tickets.ticketId("email", MAILBOX, kameletMessageId)));
        assertSameRecords("email", route, kamelet, 1, Set.of(), Set.of());
    }

    // =========================================================================== the same refusals

    @Test
    void aFormWithInvalidFieldsGetsTheRoutesAnswer() throws Exception {
        assertSameRefusal("webform", "/forms/support", "/kamelet/forms/support", 422, (url, correlationId) -> Http.post(url,
                "application/json", "{\"name\": \" \", \"email\": \"not-an-email\", \"subject\": 42, \"orderNumber\": \"A 1\"}",
                "X-Correlation-ID", correlationId));
    }

    @Test
    void aFormOfAnotherMediaTypeGetsTheRoutesAnswer() throws Exception {
        assertSameRefusal("webform", "/forms/support", "/kamelet/forms/support", 415, (url, correlationId) -> Http.post(url,
                "text/plain", "name=Grace", "X-Correlation-ID", correlationId));
    }

    @Test
    void aWebhookSignedWithAnotherSecretGetsTheRoutesAnswer() throws Exception {
        String other = "whsec_" + Base64.getEncoder().encodeToString("another-key".getBytes(StandardCharsets.UTF_8));
        String event = "{\"type\": \"message.created\", \"data\": {\"customer\": {\"email\": \"ada@example.com\"}, \"message\": \"Hi\"}}";
        assertSameRefusal("webhook", "/webhooks/shop", "/kamelet/webhooks/shop", 401, (url, correlationId) -> {
            String id = "msg_" + UUID.randomUUID();
            long now = Instant.now().getEpochSecond();
            return Http.post(url, "application/json", event, "X-Correlation-ID", correlationId, "webhook-id", id,
                    "webhook-timestamp", Long.toString(now), "webhook-signature", Signatures.standardWebhook(other, id, now, event));
        });
    }

    @Test
    void aTwilioRequestSignedWithAnotherTokenGetsTheRoutesAnswer() throws Exception {
        Map<String, String> message = ProviderExamples.twilioWhatsApp("SM" + UUID.randomUUID().toString().replace("-", ""));
        assertSameRefusal("whatsapp", "/whatsapp/twilio", "/kamelet/whatsapp/twilio", 401, (url, correlationId) -> Http.post(url,
                "application/x-www-form-urlencoded", Http.form(message), "X-Correlation-ID", correlationId,
                "X-Twilio-Signature", Signatures.twilio("another-token", TWILIO_PUBLIC_URL + url.substring(url.indexOf('/', 8)), message)));
    }

    @Test
    void aMetaNotificationSignedWithAnotherSecretGetsTheRoutesAnswer() throws Exception {
        String notification = metaNotification("wamid." + UUID.randomUUID());
        assertSameRefusal("whatsapp", "/whatsapp/meta", "/kamelet/whatsapp/meta", 401, (url, correlationId) -> Http.post(url,
                "application/json", notification, "X-Correlation-ID", correlationId,
                "X-Hub-Signature-256", Signatures.meta("another-secret", notification.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aHandshakeWithAnotherVerifyTokenGetsTheRoutesAnswer() throws Exception {
        assertSameRefusal("whatsapp", "/whatsapp/meta", "/kamelet/whatsapp/meta", 403, (url, correlationId) -> Http.get(
                url + "?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444", "X-Correlation-ID", correlationId));
    }

    // =========================================================================== assertions

    /**
     * The records of both calls: one raw record on the channel's topic and {@code tickets} tickets,
     * each of the binding's the same as the route's but for the ids and times two calls never
     * share. The raw records keep exactly the request headers {@code kept}, of which
     * {@code signatures} hold a signature over those ids.
     *
     * @return how the binding's ids map to the route's
     */
    private Ids assertSameRecords(String channel, Call route, Call kamelet, int tickets, Set<String> kept, Set<String> signatures) {
        String rawTopic = "fte.channels." + channel + ".inbound";
        ConsumerRecord<String, byte[]> routeRaw = published(rawTopic, route.correlationId(), 1).get(0);
        ConsumerRecord<String, byte[]> kameletRaw = published(rawTopic, kamelet.correlationId(), 1).get(0);
        List<ConsumerRecord<String, byte[]>> routeTickets = published(TICKETS, route.correlationId(), tickets);
        List<ConsumerRecord<String, byte[]>> kameletTickets = published(TICKETS, kamelet.correlationId(), tickets);

        Ids ids = new Ids().map(kamelet.messageId(), route.messageId()).map(kamelet.correlationId(), route.correlationId());
        for (int i = 0; i < tickets; i++) {
            ids.map(header(kameletTickets.get(i), "ce_id"), header(routeTickets.get(i), "ce_id"));
        }

        // the raw record's ce_id is an id of its own, random
        Set<String> rawVarying = new HashSet<>(Set.of("ce_id", "ce_time"));
        signatures.forEach(name -> rawVarying.add(KeptRequestHeaders.RECORD_PREFIX + name));
        assertThat(headerNames(routeRaw).stream().filter(name -> name.startsWith(KeptRequestHeaders.RECORD_PREFIX)))
                .as("the request headers the route keeps").containsExactlyInAnyOrderElementsOf(
                        kept.stream().map(name -> KeptRequestHeaders.RECORD_PREFIX + name).toList());
        assertSameRecord(routeRaw, kameletRaw, ids, rawVarying);
        assertThat(ids.toRoute(new String(kameletRaw.value(), StandardCharsets.UTF_8))).as("raw payload")
                .isEqualTo(new String(routeRaw.value(), StandardCharsets.UTF_8));

        for (int i = 0; i < tickets; i++) {
            assertSameRecord(routeTickets.get(i), kameletTickets.get(i), ids, Set.of("ce_time"));
            TicketEvent routeTicket = Records.ticket(routeTickets.get(i));
            TicketEvent kameletTicket = Records.ticket(kameletTickets.get(i));
            assertThat(ids.toRoute(kameletTicket.getTicketId().toString())).isEqualTo(routeTicket.getTicketId().toString());
            assertThat(ids.toRoute(kameletTicket.getSourceMessageId())).isEqualTo(routeTicket.getSourceMessageId());
            assertThat(ids.toRoute(kameletTicket.getCorrelationId())).isEqualTo(routeTicket.getCorrelationId());
            assertThat(kameletTicket.getReceivedAt()).isAfterOrEqualTo(routeTicket.getReceivedAt().minusSeconds(60));
            TicketEvent aligned = TicketEvent.newBuilder(kameletTicket)
                    .setTicketId(routeTicket.getTicketId())
                    .setSourceMessageId(routeTicket.getSourceMessageId())
                    .setCorrelationId(routeTicket.getCorrelationId())
                    .setReceivedAt(routeTicket.getReceivedAt())
                    .build();
            assertThat(aligned).as("ticket %d, ids and time aside", i + 1).isEqualTo(routeTicket);
        }
        return ids;
    }

    private static void assertSameRecord(ConsumerRecord<String, byte[]> route, ConsumerRecord<String, byte[]> kamelet, Ids ids,
                                         Set<String> varying) {
        assertThat(kamelet.topic()).isEqualTo(route.topic());
        assertThat(kamelet.key()).as("key on %s", route.topic()).isEqualTo(route.key());
        assertThat(kamelet.partition()).as("partition on %s", route.topic()).isEqualTo(route.partition());
        assertThat(headerNames(kamelet)).as("header names on %s", route.topic()).isEqualTo(headerNames(route));
        for (String name : headerNames(route)) {
            if (varying.contains(name)) {
                assertThat(header(kamelet, name)).as("header %s on %s", name, route.topic()).isNotBlank();
            } else {
                assertThat(ids.toRoute(header(kamelet, name))).as("header %s on %s", name, route.topic()).isEqualTo(header(route, name));
            }
        }
    }

    /**
     * The same status, content type and JSON, ids aside. A 202's status URL is signed for its own
     * ticket, so only its shape is compared: the binding's has one too, because under Spring Boot
     * Camel creates the Kamelet's {@code beanType: HttpReplies} with Spring, which hands it Intake's
     * StatusTokens (a plain Camel runtime uses the constructor without, and the 202 has no status URL).
     */
    private static void assertSameJsonReply(HttpResponse<String> route, HttpResponse<String> kamelet, Ids ids) throws IOException {
        assertThat(kamelet.statusCode()).as(kamelet.body()).isEqualTo(route.statusCode());
        assertThat(contentType(kamelet)).isEqualTo(contentType(route));
        assertThat(ids.toRoute(kamelet.headers().firstValue("X-Correlation-ID").orElseThrow()))
                .isEqualTo(route.headers().firstValue("X-Correlation-ID").orElseThrow());
        ObjectNode routeJson = (ObjectNode) JSON.readTree(route.body());
        ObjectNode kameletJson = (ObjectNode) JSON.readTree(kamelet.body());
        if (route.statusCode() == 202) {
            assertThat(routeJson.remove("statusUrl").asText()).startsWith("/tickets/" + routeJson.get("ticketId").asText() + "?token=");
            assertThat(kameletJson.remove("statusUrl").asText()).startsWith("/tickets/" + kameletJson.get("ticketId").asText() + "?token=");
        }
        assertThat(JSON.readTree(ids.toRoute(kameletJson.toString()))).isEqualTo(routeJson);
    }

    /** A bad request, sent with one correlation id to both paths: the same answer, and nothing on the channel's topic. */
    private void assertSameRefusal(String channel, String routePath, String kameletPath, int status,
                                   BiFunction<String, String, HttpResponse<String>> send) throws IOException {
        String correlationId = "refused-" + UUID.randomUUID();

        HttpResponse<String> route = send.apply(url(routePath), correlationId);
        HttpResponse<String> kamelet = send.apply(url(kameletPath), correlationId);

        assertThat(route.statusCode()).as(route.body()).isEqualTo(status);
        assertThat(kamelet.statusCode()).as(kamelet.body()).isEqualTo(status);
        assertThat(contentType(kamelet)).isEqualTo(contentType(route)).startsWith("application/json");
        assertThat(kamelet.headers().firstValue("X-Correlation-ID")).contains(correlationId);
        assertThat(kamelet.headers().firstValue("X-Content-Type-Options")).isEqualTo(route.headers().firstValue("X-Content-Type-Options"));
        // a signature error names the URL it was checked against: the binding's own path
        assertThat(JSON.readTree(kamelet.body().replace(kameletPath, routePath))).isEqualTo(JSON.readTree(route.body()));
        assertThat(kafka.readAll("fte.channels." + channel + ".inbound")).noneMatch(withHeader(CORRELATION, correlationId));
    }

    /** The records of one call on a topic, waited for; exactly {@code count}, none twice. */
    private List<ConsumerRecord<String, byte[]>> published(String topic, String correlationId, int count) {
        kafka.awaitRecords(topic, withHeader(CORRELATION, correlationId), count);
        List<ConsumerRecord<String, byte[]>> records = kafka.readAll(topic).stream().filter(withHeader(CORRELATION, correlationId)).toList();
        assertThat(records).as("records of %s on %s", correlationId, topic).hasSize(count);
        return records;
    }

    private String correlationIdOf(UUID ticketId) {
        return header(kafka.awaitRecords(TICKETS, withHeader("ce_id", ticketId.toString()), 1).get(0), CORRELATION);
    }

    private static List<String> headerNames(ConsumerRecord<String, byte[]> record) {
        return Arrays.stream(record.headers().toArray()).map(Header::key).sorted().toList();
    }

    private static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse(null);
    }

    // =========================================================================== requests

    /** One request: the path it goes to, its message id (webhook-id, MessageSid, wamid, Message-ID, Idempotency-Key) and correlation id. */
    record Call(String path, String messageId, String correlationId) {

        static Call to(String path, String idPrefix) {
            return new Call(path, idPrefix + UUID.randomUUID().toString().replace("-", ""), "kb-" + UUID.randomUUID());
        }
    }

    /** How the ids of the binding's call map to the route's, to compare what holds them. */
    static final class Ids {

        private final Map<String, String> kameletToRoute = new LinkedHashMap<>();

        Ids map(String kamelet, String route) {
            kameletToRoute.put(kamelet, route);
            return this;
        }

        String toRoute(String text) {
            if (text == null) {
                return null;
            }
            String result = text;
            for (Map.Entry<String, String> id : kameletToRoute.entrySet()) {
                result = result.replace(id.getKey(), id.getValue());
            }
            return result;
        }
    }

    private HttpResponse<String> postWebhook(Call call, String event, long timestamp) {
        return Http.post(url(call.path()), "application/json", event, "X-Correlation-ID", call.correlationId(), "User-Agent", "shop-webhooks/2.1",
                "webhook-id", call.messageId(), "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", Signatures.standardWebhook(SHOP_SECRET, call.messageId(), timestamp, event));
    }

    /** Signed for the URL Twilio calls: the public URL with the path of the call. */
    private HttpResponse<String> postTwilio(Call call, Map<String, String> message) {
        return Http.post(url(call.path()), "application/x-www-form-urlencoded", Http.form(message), "X-Correlation-ID", call.correlationId(),
                "User-Agent", "TwilioProxy/1.1", "I-Twilio-Idempotency-Token", call.messageId(),
                "X-Twilio-Signature", Signatures.twilio(TWILIO_TOKEN, TWILIO_PUBLIC_URL + call.path(), message));
    }

    /** Two messages from one customer, ids {@code <base>.1} and {@code <base>.2}, and a status update. */
    private static String metaNotification(String messageIdBase) {
        return """
                {"object": "whatsapp_business_account",
                 "entry": [{"id": "102290129340398", "changes": [
                   {"field": "messages", "value": {
                      "messaging_product": "whatsapp",
                      "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                      "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                      "messages": [
                        {"from": "16505551234", "id": "%1$s.1", "timestamp": "1749416383", "type": "text",
                         "text": {"body": "Does it come in another color?"}},
                        {"from": "16505551234", "id": "%1$s.2", "timestamp": "1749416390", "type": "image",
                         "image": {"caption": "This one", "mime_type": "image/jpeg", "sha256": "abc", "id": "1003383421387256"}}
                      ]}},
                   {"field": "messages", "value": {
                      "messaging_product": "whatsapp",
                      "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                      "statuses": [{"id": "wamid.status", "status": "delivered", "timestamp": "1749416401", "recipient_id": "16505551234"}]}}
                 ]}]}""".formatted(messageIdBase);
    }

    private HttpResponse<String> postMeta(Call call, String notification, String secret) {
        byte[] bytes = notification.getBytes(StandardCharsets.UTF_8);
        return Http.post(url(call.path()), "application/json", bytes, "X-Correlation-ID", call.correlationId(),
                "User-Agent", "facebookexternalua", "X-Hub-Signature-256", Signatures.meta(secret, bytes));
    }

    /** The same mail but for its Message-ID, as its server stores it. */
    private static void deliver(GreenMail imap, String messageId) throws Exception {
        String mail = String.join("\r\n",
                "Message-ID: " + messageId,
                "Date: Mon, 16 Nov 2026 09:30:00 +0000",
                "From: Marie Curie <Marie.Curie@Example.ORG>",
                "To: " + MAILBOX,
                "Subject: =?UTF-8?Q?R=C3=A9clamation_:_commande_42?=",
                "MIME-Version: 1.0",
                "Content-Type: text/plain; charset=UTF-8",
                "Content-Transfer-Encoding: 8bit",
                "",
                "Bonjour, ma commande n'est pas arrivée.",
                "");
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8)));
        imap.getUserManager().getUser(MAILBOX).deliver(message);
    }

    private static GreenMail imap() {
        GreenMail greenMail = new GreenMail(new ServerSetup(FreePorts.free(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        greenMail.start();
        greenMail.setUser(MAILBOX, MAILBOX, MAILBOX_PASSWORD);
        return greenMail;
    }

    // =========================================================================== the bindings' paths

    /**
     * Intake's RequestBodyFilter reads the body only on the paths of Intake's own channel routes and
     * gives every other path an empty one, so a Kamelet bound inside Intake's application on a path
     * of its own would never see a body. The bindings' paths get the request as the servlet
     * container has it, as in any integration without Intake's filter; every other path still goes
     * through the filter.
     */
    @TestConfiguration(proxyBeanMethods = false)
    static class KameletPaths {

        @Bean
        static BeanPostProcessor kameletPathsBesideRequestBodyFilter() {
            return new BeanPostProcessor() {
                @Override
                public Object postProcessAfterInitialization(Object bean, String beanName) {
                    return bean instanceof RequestBodyFilter filter ? new BesideRequestBodyFilter(filter) : bean;
                }
            };
        }
    }

    static final class BesideRequestBodyFilter implements Filter {

        private final RequestBodyFilter filter;

        BesideRequestBodyFilter(RequestBodyFilter filter) {
            this.filter = filter;
        }

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
            if (request instanceof HttpServletRequest http && http.getRequestURI().startsWith(KAMELET_PATHS)) {
                chain.doFilter(request, response);
            } else {
                filter.doFilter(request, response, chain);
            }
        }
    }
}
