package intake;

import intake.testing.EmbeddedKafkaBroker;
import java.nio.file.Path;
import org.springframework.boot.SpringApplication;

/**
 * Runs Intake on its embedded defaults: a real Kafka broker (KRaft) on 127.0.0.1:9092 with its
 * data under .intake/kafka, and the "local" profile with development secrets. Started by
 * {@code ./mvnw spring-boot:test-run}; it lives in the test sources so the packaged jar embeds nothing.
 */
public final class LocalIntake {

    private LocalIntake() {
    }

    public static void main(String[] args) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onPort(9092, Path.of(".intake", "kafka")).start();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "embedded-kafka-stop"));
        System.setProperty("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers());
        SpringApplication.from(IntakeApplication::main).withAdditionalProfiles("local").run(args);
    }
}
