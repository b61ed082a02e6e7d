package intake.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import intake.database.StatementTimeout;
import intake.publish.KafkaRecords;
import intake.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox stores and relays only record headers (content-type, ce_*, intake_*): a header that
 * reached a record's Camel message, or a row written elsewhere, never sets the relayed record's
 * topic, key, partition or timestamp. On a schema of its own, so no running relay takes its rows.
 */
class OutboxHeadersTest {

    private final String schema = "intake_outbox_headers_" + ProcessHandle.current().pid();
    private HikariDataSource dataSource;
    private Outbox outbox;
    private Exchange exchange;

    @BeforeEach
    void migrate() throws Exception {
        dataSource = TestDatabase.migratedSchema(schema);
        outbox = new Outbox(dataSource, Clock.systemUTC(), "test-instance", Duration.ofSeconds(30), StatementTimeout.of(Duration.ofSeconds(1)));
        exchange = new DefaultExchange(new DefaultCamelContext());
    }

    @AfterEach
    void drop() {
        dataSource.close();
        TestDatabase.dropSchema(schema);
    }

    @Test
    void storesOnlyRecordHeaders() throws Exception {
        Message record = KafkaRecords.newRecord(exchange, "fte.tickets.incoming", "ada@example.com");
        record.setHeader("ce_id", "t-1");
        record.setHeader("intake_http_user-agent", "curl/8");
        record.setHeader("Authorization", "Bearer secret");
        record.setHeader("user-agent", "unprefixed");
        record.setBody("value".getBytes(StandardCharsets.UTF_8));
        exchange.getIn().setBody(List.of(record));

        outbox.store(exchange);

        try (Connection connection = dataSource.getConnection();
             ResultSet row = connection.createStatement().executeQuery("select topic, record_key, headers from outbox")) {
            assertThat(row.next()).isTrue();
            assertThat(row.getString("topic")).isEqualTo("fte.tickets.incoming");
            assertThat(row.getString("record_key")).isEqualTo("ada@example.com");
            assertThat(row.getString("headers")).isEqualTo("{\"ce_id\":\"t-1\",\"intake_http_user-agent\":\"curl/8\"}");
        }
    }

    @Test
    void aRowWithControlHeadersIsRelayedToItsOwnTopicAndKeyWithoutThem() throws Exception {
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "insert into outbox (topic, record_key, record_value, headers, created_at) values (?, ?, ?, ?, ?)")) {
            insert.setString(1, "fte.tickets.incoming");
            insert.setString(2, "ada@example.com");
            insert.setBytes(3, "value".getBytes(StandardCharsets.UTF_8));
            insert.setString(4, """
                    {"Kafka.OVERRIDE_TOPIC": "fte.dlq", "kafka.key": "attacker", "KAFKA.PARTITION_KEY": "7",
                     "kafka.OVERRIDE_TIMESTAMP": "1", "camelIntakeTopic": "fte.dlq", "ce_id": "t-1", "user-agent": "old"}""");
            insert.setTimestamp(5, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }

        List<OutboxRow> claimed = outbox.claim(10);

        assertThat(claimed).singleElement().satisfies(row -> {
            ProducerRecord<String, byte[]> relayed = row.record();
            assertThat(relayed.topic()).isEqualTo("fte.tickets.incoming");
            assertThat(relayed.key()).isEqualTo("ada@example.com");
            assertThat(relayed.partition()).isNull();
            assertThat(relayed.timestamp()).isNull();
            assertThat(relayed.headers()).extracting(Header::key).containsExactly("ce_id");
        });
    }
}
