package intake.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The one embedded broker every test in this JVM shares, started on first use. */
public final class TestKafka {

    private static EmbeddedKafkaBroker broker;

    private TestKafka() {
    }

    public static synchronized EmbeddedKafkaBroker broker() {
        if (broker == null) {
            try {
                broker = EmbeddedKafkaBroker.onFreePorts(Files.createTempDirectory("intake-kafka-")).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "test-kafka-stop"));
        }
        return broker;
    }

    public static String bootstrapServers() {
        return broker().bootstrapServers();
    }
}
