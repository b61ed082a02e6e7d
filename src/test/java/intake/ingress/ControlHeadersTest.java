package intake.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import intake.publish.KafkaRecords;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.ticket.TicketEvent;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * Every control header camel-kafka and Camel know ({@link KafkaConstants}, {@link Exchange}) and
 * Intake's own names, in several spellings, as request headers and as query parameters, sent to
 * every HTTP channel: each record is what the same request without them gives, and nothing lands
 * anywhere else. Only what each request makes anew (ids, times, the correlation id) is set aside.
 */
class ControlHeadersTest extends IntakeIntegrationTest {

    private static final String SHOP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String TWILIO_TOKEN = "test-twilio-auth-token";
    private static final String TWILIO_URL = "https://intake.example.com/whatsapp/twilio";
    private static final String META_SECRET = "test-meta-app-secret";
    /** A topic that exists (so a steered record would land) and that no valid ticket reaches. */
    private static final String STEERED_TOPIC = "fte.dlq";
    /** HTTP framing, not control values: the request could not be made with another value. */
    private static final Set<String> FRAMING = Set.of("content-type", "content-length", "content-encoding",
            "transfer-encoding", "host", "connection", "expect", "upgrade");
    /** Well under Tomcat's 8 KiB of request headers: the names go in batches. */
    private static final int HEADERS_PER_REQUEST = 60;

    @Test
    void noRequestHeaderOrParameterChangesAnyRecord() throws Exception {
        List<Map<String, String>> batches = hostileHeaders().stream().flatMap(spelling -> batches(spelling).stream()).toList();
        long steeredBefore = kafka.endOffsetSum(List.of(STEERED_TOPIC));

        Map<String, Sent> baselines = new LinkedHashMap<>();
        Map<String, List<Sent>> hostile = new LinkedHashMap<>();
        for (Channel channel : channels()) {
            baselines.put(channel.name(), channel.send(Map.of(), ""));
            for (Map<String, String> batch : batches) {
                hostile.computeIfAbsent(channel.name(), c -> new ArrayList<>()).add(channel.send(batch, query(batch)));
            }
        }
        Map<String, List<String>> recordsByCorrelationId = recordsByCorrelationId();

        baselines.forEach((channel, baseline) -> {
            List<String> expected = recordsOf(baseline, recordsByCorrelationId);
            assertThat(expected).as("%s: records of the plain request", channel).hasSizeGreaterThanOrEqualTo(2);
            for (Sent sent : hostile.get(channel)) {
                assertThat(sent.response().statusCode()).as("%s with %s", channel, sent.headers())
                        .isEqualTo(baseline.response().statusCode());
                assertThat(recordsOf(sent, recordsByCorrelationId)).as("%s with %s", channel, sent.headers())
                        .containsExactlyInAnyOrderElementsOf(expected);
            }
        });
        assertThat(kafka.endOffsetSum(List.of(STEERED_TOPIC))).as("records steered to " + STEERED_TOPIC).isEqualTo(steeredBefore);
    }

    @Test
    void credentialsAreNeverStored() {
        String correlationId = "creds-" + UUID.randomUUID();
        HttpResponse<String> response = Http.post(url("/forms/support"), "application/json", formJson(),
                "X-Correlation-ID", correlationId, "Authorization", "Bearer secret-token", "Proxy-Authorization", "Basic c2VjcmV0",
                "Cookie", "session=secret", "User-Agent", "curl/8");

        assertThat(response.statusCode()).isEqualTo(202);
        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("fte.channels.webform.inbound",
                Records.withHeader(KafkaRecords.CORRELATION_ID_HEADER, correlationId), 1).get(0);
        assertThat(headerNames(raw)).containsExactlyInAnyOrder("intake_http_content-type", "intake_http_user-agent",
                "content-type", "ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "intake_correlation_id");
        assertThat(headerValues(raw)).noneMatch(v -> v.contains("secret"));
        assertThat(KeptRequestHeaders.CREDENTIALS).allSatisfy(credential ->
                assertThat(List.of("webform", "webhook", "whatsapp")).allSatisfy(channel ->
                        assertThat(KeptRequestHeaders.of(channel)).doesNotContain(credential)));
    }

    /**
     * Every control name, once spelled as declared, once lowercased, once uppercased and once with
     * its first letter flipped: one map per spelling, since a request carries a name only once.
     */
    private static List<Map<String, String>> hostileHeaders() throws IllegalAccessException {
        Set<String> names = new LinkedHashSet<>();
        names.addAll(constants(KafkaConstants.class));
        names.addAll(constants(Exchange.class));
        names.addAll(List.of(KafkaRecords.TOPIC_HEADER, KafkaRecords.CORRELATION_ID_HEADER, KafkaRecords.CONTENT_TYPE_HEADER,
                "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time", "ce_specversion", "source", "ticketId", "token",
                IntakeExchange.CHANNEL, IntakeExchange.RAW, IntakeExchange.CORRELATION_ID, IntakeExchange.TICKET_IDS,
                KeptRequestHeaders.RECORD_PREFIX + "user-agent", "dlq_original_topic", "CamelHttpServletRequest"));
        names.removeIf(name -> FRAMING.contains(name.toLowerCase(Locale.ROOT)) || !isToken(name));
        List<java.util.function.UnaryOperator<String>> spellings = List.of(name -> name, name -> name.toLowerCase(Locale.ROOT),
                name -> name.toUpperCase(Locale.ROOT), name -> (Character.isUpperCase(name.charAt(0))
                        ? name.substring(0, 1).toLowerCase(Locale.ROOT) : name.substring(0, 1).toUpperCase(Locale.ROOT)) + name.substring(1));
        List<Map<String, String>> bySpelling = new ArrayList<>();
        for (java.util.function.UnaryOperator<String> spelling : spellings) {
            Map<String, String> headers = new LinkedHashMap<>();
            names.forEach(name -> headers.putIfAbsent(spelling.apply(name), valueFor(name)));
            bySpelling.add(headers);
        }
        return bySpelling;
    }

    // A value each control header would act on: a partition, a time, otherwise a topic name (which
    // as a key would also move the record to another partition).
    private static String valueFor(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (upper.contains("PARTITION") || upper.contains("OFFSET") || upper.contains("CODE") || upper.contains("SIZE")) {
            return "7";
        }
        if (upper.contains("TIMESTAMP") || upper.contains("TIME")) {
            return "1000";
        }
        return STEERED_TOPIC;
    }

    private static List<String> constants(Class<?> type) throws IllegalAccessException {
        List<String> values = new ArrayList<>();
        for (Field field : type.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                values.add((String) field.get(null));
            }
        }
        assertThat(values).as("constants of %s", type.getName()).isNotEmpty();
        return values;
    }

    private static boolean isToken(String name) {
        return !name.isEmpty() && name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0);
    }

    private static List<Map<String, String>> batches(Map<String, String> headers) {
        List<Map<String, String>> batches = new ArrayList<>();
        Map<String, String> batch = new LinkedHashMap<>();
        for (Map.Entry<String, String> header : headers.entrySet()) {
            batch.put(header.getKey(), header.getValue());
            if (batch.size() == HEADERS_PER_REQUEST) {
                batches.add(batch);
                batch = new LinkedHashMap<>();
            }
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }

    private static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** One request and how to find its records: by the correlation id each request gets of its own. */
    private record Sent(HttpResponse<String> response, String correlationId, java.util.Set<String> headers) {
    }

    private interface Sender {
        Sent send(Map<String, String> extraHeaders, String query);
    }

    /**
     * Every request repeats its channel's provider message id, which the edge would answer from
     * edge_deliveries without publishing (ADR 0013): forgotten first, so each request is published.
     */
    private static void forgetAcceptedDeliveries() {
        try (java.sql.Connection connection = intake.testing.TestDatabase.postgres().getConnection();
                java.sql.Statement statement = connection.createStatement()) {
            statement.execute("delete from " + SCHEMA + ".edge_deliveries");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Channel(String name, Sender sender) {
        Sent send(Map<String, String> extraHeaders, String query) {
            forgetAcceptedDeliveries();
            return sender.send(extraHeaders, query);
        }
    }

    private List<Channel> channels() {
        String webhookId = "msg_" + UUID.randomUUID();
        long timestamp = Instant.now().getEpochSecond();
        String webhook = """
                {"type": "message.created", "data": {"customer": {"email": "grace@example.com", "name": "Grace"},
                 "subject": "Login", "message": "I cannot log in."}}""";
        String twilioSid = "SM" + UUID.randomUUID().toString().replace("-", "");
        Map<String, String> twilio = new TreeMap<>(Map.of("MessageSid", twilioSid, "From", "whatsapp:+14155550100",
                "Body", "Where is my order?", "ProfileName", "Katherine"));
        byte[] meta = ("""
                {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
                 "metadata":{"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234"}],
                 "messages":[{"from":"16505551234","id":"wamid.%s","timestamp":"1749416383","type":"text","text":{"body":"Hi!"}}]}}]}]}"""
                .formatted(UUID.randomUUID())).getBytes(StandardCharsets.UTF_8);
        return List.of(
                new Channel("web form (JSON)", (extra, query) -> post("/forms/support", query, "application/json",
                        formJson().getBytes(StandardCharsets.UTF_8), extra)),
                new Channel("web form (urlencoded)", (extra, query) -> post("/forms/support", query, "application/x-www-form-urlencoded",
                        Http.form(Map.of("name", "Ada", "email", "ada@example.com", "subject", "Invoice", "message", "Charged twice."))
                                .getBytes(StandardCharsets.UTF_8), extra)),
                new Channel("signed webhook", (extra, query) -> post("/webhooks/shop", query, "application/json",
                        webhook.getBytes(StandardCharsets.UTF_8), extra, "webhook-id", webhookId, "webhook-timestamp", Long.toString(timestamp),
                        "webhook-signature", Signatures.standardWebhook(SHOP_SECRET, webhookId, timestamp, webhook))),
                new Channel("Twilio", (extra, query) -> post("/whatsapp/twilio", query, "application/x-www-form-urlencoded",
                        Http.form(twilio).getBytes(StandardCharsets.UTF_8), extra,
                        "X-Twilio-Signature", Signatures.twilio(TWILIO_TOKEN, query.isEmpty() ? TWILIO_URL : TWILIO_URL + "?" + query, twilio))),
                new Channel("Meta", (extra, query) -> post("/whatsapp/meta", query, "application/json", meta, extra,
                        "X-Hub-Signature-256", Signatures.meta(META_SECRET, meta))));
    }

    private Sent post(String path, String query, String contentType, byte[] body, Map<String, String> extra, String... own) {
        String correlationId = "ctl-" + UUID.randomUUID();
        List<String> headers = new ArrayList<>(List.of("X-Correlation-ID", correlationId));
        headers.addAll(List.of(own));
        extra.forEach((name, value) -> {
            headers.add(name);
            headers.add(value);
        });
        HttpResponse<String> response = Http.post(url(path + (query.isEmpty() ? "" : "?" + query)), contentType, body,
                headers.toArray(String[]::new));
        return new Sent(response, correlationId, extra.keySet());
    }

    private List<String> recordsOf(Sent sent, Map<String, List<String>> recordsByCorrelationId) {
        assertThat(sent.response().statusCode()).as(sent.response().body()).isBetween(200, 299);
        return recordsByCorrelationId.getOrDefault(sent.correlationId(), List.of());
    }

    /** Every record of the intake topics, made comparable, by the correlation id of the request that made it. */
    private Map<String, List<String>> recordsByCorrelationId() {
        Map<String, List<String>> records = new LinkedHashMap<>();
        for (String topic : List.of("fte.tickets.incoming", "fte.channels.webform.inbound", "fte.channels.webhook.inbound",
                "fte.channels.whatsapp.inbound")) {
            for (ConsumerRecord<String, byte[]> record : kafka.readAll(topic)) {
                String correlationId = Records.header(record, KafkaRecords.CORRELATION_ID_HEADER);
                if (correlationId != null && correlationId.startsWith("ctl-")) {
                    records.computeIfAbsent(correlationId, id -> new ArrayList<>()).add(comparable(record));
                }
            }
        }
        return records;
    }

    /** The record with what each request makes anew set aside: ids, times, the correlation id. */
    private static String comparable(ConsumerRecord<String, byte[]> record) {
        Map<String, String> headers = new TreeMap<>();
        for (Header header : record.headers()) {
            String name = header.key();
            String value = new String(header.value(), StandardCharsets.UTF_8);
            // Twilio signs the URL, so a request with a query carries a signature of its own
            boolean madeAnew = name.equals("ce_id") || name.equals("ce_time") || name.equals(KafkaRecords.CORRELATION_ID_HEADER)
                    || name.equals(KeptRequestHeaders.RECORD_PREFIX + "x-twilio-signature");
            headers.merge(name, madeAnew ? "(each request's own)" : value, (a, b) -> a + "," + b);
        }
        String value;
        if (record.topic().equals("fte.tickets.incoming")) {
            TicketEvent ticket = Records.ticket(record);
            ticket.setTicketId(new UUID(0, 0));
            ticket.setCorrelationId("(each request's own)");
            ticket.setReceivedAt(Instant.EPOCH);
            if (ticket.getSourceMessageId().toString().matches("[0-9a-f-]{36}")) {
                ticket.setSourceMessageId("(each request's own)");
            }
            value = hex(Records.bytes(ticket));
        } else {
            value = hex(record.value());
        }
        return record.topic() + " partition " + record.partition() + " key " + record.key() + " headers " + headers + " value " + value;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static List<String> headerNames(ConsumerRecord<String, byte[]> record) {
        List<String> names = new ArrayList<>();
        record.headers().forEach(h -> names.add(h.key()));
        return names;
    }

    private static List<String> headerValues(ConsumerRecord<String, byte[]> record) {
        List<String> values = new ArrayList<>();
        record.headers().forEach(h -> values.add(new String(h.value(), StandardCharsets.UTF_8)));
        return values;
    }

    private static String formJson() {
        return """
                {"name":"Ada Lovelace","email":"ada@example.com","subject":"Invoice","message":"I was charged twice."}""";
    }
}
