package intake.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.IntakeApplication;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Intake as it runs, on a random port, against the shared embedded Kafka broker and the test
 * PostgreSQL (a schema of its own per test JVM, dropped at exit, so runs never see each other's
 * rows or migrations); the "test" profile (application-test.yaml) only sets secrets and placeholders.
 */
@CamelSpringBootTest
// Spring Boot tests switch metrics export off unless asked: the tests read /actuator/prometheus.
@AutoConfigureObservability
@SpringBootTest(classes = IntakeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class IntakeIntegrationTest {

    /** The management users of application-test.yaml. */
    public static final Http.Credentials OPERATOR = new Http.Credentials("test-operator", "test-operator-password");
    public static final Http.Credentials MONITORING = new Http.Credentials("test-monitoring", "test-monitoring-password");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** This JVM's schema in the test database. */
    public static final String SCHEMA = TestDatabase.schema();

    @LocalServerPort
    protected int port;

    @LocalManagementPort
    protected int managementPort;

    protected KafkaTopics kafka;

    @DynamicPropertySource
    static void kafkaBroker(DynamicPropertyRegistry registry) {
        registry.add("camel.component.kafka.brokers", TestKafka::bootstrapServers);
        registry.add("spring.datasource.url", () -> TestDatabase.url(SCHEMA));
        registry.add("spring.datasource.username", TestDatabase::user);
        registry.add("spring.datasource.password", TestDatabase::password);
        registry.add("spring.flyway.schemas", () -> SCHEMA);
    }

    @BeforeEach
    void connectKafkaReader() {
        kafka = new KafkaTopics(TestKafka.bootstrapServers());
    }

    protected String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    protected String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    protected String prometheus() {
        return Http.get(managementUrl("/actuator/prometheus"), MONITORING).body();
    }

    /** Starts a dead-letter replay as the operator and waits until it is done: the replay's status, result included. */
    protected JsonNode replayDeadLetters(String json) throws Exception {
        HttpResponse<String> started = Http.postJson(managementUrl("/actuator/dlqreplay"), json, OPERATOR);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        String statusUrl = managementUrl(JSON.readTree(started.body()).get("statusUrl").asText());
        JsonNode status = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> JSON.readTree(Http.get(statusUrl, OPERATOR).body()), s -> !"running".equals(s.path("state").asText()));
        assertThat(status.path("state").asText()).as(status.toString()).isEqualTo("done");
        return status;
    }

    /** The sum of a Prometheus metric over the series whose tags contain the fragment, e.g. status="duplicate" ("" for all). */
    protected double metric(String name, String tagFragment) {
        return prometheus().lines().filter(l -> (l.startsWith(name + "{") || l.startsWith(name + " ")) && l.contains(tagFragment))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }
}
