package intake.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.wiring.RouteBeans;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * What the broker refuses for good never reaches the outbox from a request, and never wedges the
 * relay: a request too large for its topic is a 413 with nothing published, and a poison row
 * among good ones is quarantined while the good ones are relayed and bypass ends.
 */
@TestPropertySource(properties = "intake.topics.channels.webform=" + PermanentKafkaRefusalTest.SMALL_WEBFORM_TOPIC)
class PermanentKafkaRefusalTest extends IntakeIntegrationTest {

    /** The web form's raw-payload topic here: it takes records up to 4 KiB only. */
    static final String SMALL_WEBFORM_TOPIC = "fte.test.small.webform.inbound";
    private static final int SMALL_LIMIT = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    RouteBeans routeBeans;

    // before the context starts, so Intake finds the topics (and their limits) as an operator set them
    @BeforeAll
    static void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            NewTopic small = new NewTopic(SMALL_WEBFORM_TOPIC, 1, (short) 1)
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(SMALL_LIMIT)));
            admin.createTopics(List.of(small)).all().get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRequestTooLargeForItsTopicIs413AndNothingIsPublishedOrStored() throws Exception {
        HttpResponse<String> response = Http.post(url("/forms/support"), "application/json", """
                {"name":"Ada","email":"ada@example.com","subject":"Engine","message":"%s"}""".formatted("x".repeat(8_000)),
                "X-Correlation-ID", "too-large-for-kafka");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("error").asText()).isEqualTo("payload_too_large");
        assertThat(error.get("message").asText()).contains("larger than Kafka accepts");
        assertThat(error.get("correlationId").asText()).isEqualTo("too-large-for-kafka");

        // a request that is accepted afterwards shows the topics were read past this one's moment
        HttpResponse<String> small = Http.post(url("/forms/support"), "application/json", """
                {"name":"Ada","email":"ada@example.com","subject":"Engine","message":"small"}""", "X-Correlation-ID", "small-enough");
        assertThat(small.statusCode()).as(small.body()).isEqualTo(202);
        kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("intake_correlation_id", "small-enough"), 1);
        assertThat(kafka.readAll("fte.tickets.incoming")).noneMatch(Records.withHeader("intake_correlation_id", "too-large-for-kafka"));
        assertThat(kafka.readAll(SMALL_WEBFORM_TOPIC)).noneMatch(Records.withHeader("intake_correlation_id", "too-large-for-kafka"));
        assertThat(outboxRowsMentioning("too-large-for-kafka")).isZero();
        assertThat(metric("intake_requests_rejected_total", "status=\"413\"")).isEqualTo(1.0);
    }

    @Test
    void aPoisonRowIsQuarantinedWhileTheGoodRowsAroundItAreRelayedAndBypassEnds() throws Exception {
        byte[] poison = new byte[3 * SMALL_LIMIT];
        new Random(11).nextBytes(poison); // incompressible: the broker sees it larger than the topic takes
        insertRows(List.of(row("ada", "1", "good-1".getBytes()), row("ada", "2", poison), row("ada", "3", "good-3".getBytes()),
                row("bob", "4", "good-4".getBytes())));

        List<ConsumerRecord<String, byte[]>> relayed = kafka.awaitRecords(SMALL_WEBFORM_TOPIC,
                Records.withHeader("intake_test", "poison-among-good"), 3);
        assertThat(relayed).extracting(r -> Records.header(r, "ce_id")).containsExactlyInAnyOrder("1", "3", "4");
        assertThat(relayed.stream().filter(r -> r.key().equals("ada")).map(r -> Records.header(r, "ce_id")))
                .as("ada's good rows in order").containsExactly("1", "3");
        await().atMost(Duration.ofSeconds(20)).until(() -> !routeBeans.kafkaBypass().active());
        assertThat(routeBeans.outbox().depth()).isZero();
        assertThat(prometheus()).containsPattern("kafka_bypass_active\\S* 0\\.0").containsPattern("intake_outbox_depth\\S* 0\\.0")
                .containsPattern("intake_outbox_quarantine_depth\\S* 1\\.0");
        assertThat(metric("intake_outbox_quarantined_total", "")).isEqualTo(1.0);
        try (Connection connection = TestDatabase.postgres().getConnection(); ResultSet row = connection.createStatement().executeQuery(
                "select record_key, headers, exception_class, exception_message, quarantined_at, record_value from outbox_quarantine")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString("record_key")).isEqualTo("ada");
            assertThat(row.getString("headers")).contains("\"ce_id\":\"2\"");
            assertThat(row.getString("exception_class")).isEqualTo("org.apache.kafka.common.errors.RecordTooLargeException");
            assertThat(row.getString("exception_message")).isNotBlank();
            assertThat(row.getTimestamp("quarantined_at")).isNotNull();
            assertThat(row.getBytes("record_value")).isEqualTo(poison);
            assertThat(row.next()).isFalse();
        }
        JsonNode health = JSON.readTree(Http.get(managementUrl("/actuator/health"), MONITORING).body()).at("/components/kafka");
        assertThat(health.at("/status").asText()).isEqualTo("UP");
        assertThat(health.at("/details/outboxQuarantined").asLong()).isEqualTo(1);
    }

    private record Row(String key, String ceId, byte[] value) {
    }

    private static Row row(String key, String ceId, byte[] value) {
        return new Row(key, ceId, value);
    }

    /** Raw payloads of the web form, as another instance stored them during an outage: one transaction. */
    private static void insertRows(List<Row> rows) throws Exception {
        try (Connection connection = TestDatabase.postgres().getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into outbox (topic, record_key, record_value, headers, created_at) values (?, ?, ?, ?, ?)")) {
                for (Row row : rows) {
                    insert.setString(1, SMALL_WEBFORM_TOPIC);
                    insert.setString(2, row.key());
                    insert.setBytes(3, row.value());
                    insert.setString(4, "{\"ce_id\":\"" + row.ceId() + "\", \"intake_test\":\"poison-among-good\"}");
                    insert.setTimestamp(5, Timestamp.from(Instant.now()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    private static long outboxRowsMentioning(String correlationId) throws Exception {
        try (Connection connection = TestDatabase.postgres().getConnection();
             PreparedStatement count = connection.prepareStatement("select count(*) from outbox where headers like ?")) {
            count.setString(1, "%" + correlationId + "%");
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }
}
