package intake.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** With Kafka and the database both out, nothing can be stored: 503 with Retry-After, and nothing acknowledged. */
class DatabaseAndBrokerDownTest extends IntakeIntegrationTest {

    @Test
    void brokerAndDatabaseDownIs503AndTheEventIsNeitherOnKafkaNorInTheOutbox() throws Exception {
        double unavailableBefore = metric("intake_requests_failed_total", "error=\"publish_unavailable\"");
        TestKafka.broker().stop();
        HttpResponse<String> response;
        try {
            databaseAcceptsConnections(false);
            try {
                response = Http.post(url("/forms/support"), "application/json", """
                        {"name":"Nobody","email":"nobody@example.com","subject":"Lost?","message":"Will this be lost?"}""",
                        "X-Correlation-ID", "all-down-1");
            } finally {
                databaseAcceptsConnections(true);
            }
        } finally {
            TestKafka.broker().start();
        }

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).contains("5");
        assertThat(new ObjectMapper().readTree(response.body()).get("error").asText()).isEqualTo("publish_unavailable");
        assertThat(metric("intake_requests_failed_total", "error=\"publish_unavailable\",route=\"forms-support-ingress\""))
                .isEqualTo(unavailableBefore + 1);
        try (Connection connection = TestDatabase.postgres().getConnection(); Statement count = connection.createStatement()) {
            var rows = count.executeQuery("select count(*) from " + SCHEMA + ".outbox where headers like '%all-down-1%'");
            rows.next();
            assertThat(rows.getInt(1)).isZero();
        }
        // and nothing shows up later either, for as long as a relay would need to publish it
        await("no record of the refused request").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> published("fte.channels.webform.inbound") + published("fte.tickets.incoming"), n -> n == 0);
    }

    private long published(String topic) {
        return kafka.readAll(topic).stream().filter(r -> "all-down-1".equals(Records.header(r, "intake_correlation_id"))).count();
    }

    /** Closes (or reopens) the test database to new connections and ends the open ones: a database outage. */
    private static void databaseAcceptsConnections(boolean allow) throws SQLException {
        String url = TestDatabase.url();
        String database = url.substring(url.lastIndexOf('/') + 1).replaceAll("\\?.*", "");
        String adminUrl = url.substring(0, url.lastIndexOf('/') + 1) + "postgres";
        try (Connection admin = DriverManager.getConnection(adminUrl, TestDatabase.user(), TestDatabase.password());
             Statement sql = admin.createStatement()) {
            sql.execute("alter database \"" + database + "\" allow_connections " + allow);
            if (!allow) {
                sql.execute("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database
                        + "' and pid <> pg_backend_pid()");
            }
        }
    }

}
