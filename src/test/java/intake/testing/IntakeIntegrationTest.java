package intake.testing;

import intake.IntakeApplication;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Intake as it runs, on a random port, against the shared embedded Kafka broker; the "test"
 * profile (src/test/resources/application-test.yaml) only sets secrets and placeholders.
 */
@CamelSpringBootTest
@SpringBootTest(classes = IntakeApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
public abstract class IntakeIntegrationTest {

    @LocalServerPort
    protected int port;

    protected KafkaTopics kafka;

    @DynamicPropertySource
    static void kafkaBroker(DynamicPropertyRegistry registry) {
        registry.add("camel.component.kafka.brokers", TestKafka::bootstrapServers);
    }

    @BeforeEach
    void connectKafkaReader() {
        kafka = new KafkaTopics(TestKafka.bootstrapServers());
    }

    protected String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }
}
