package intake.config;

import static org.assertj.core.api.Assertions.assertThat;

import intake.IntakeApplication;
import intake.testing.TestKafka;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;

/** Start-up fails fast, with a message naming the cause, when a critical part is missing. */
class StartupChecksTest {

    @Test
    void enabledTwilioChannelWithoutAuthTokenStopsStartUp() {
        Throwable failure = start("--intake.channels.twilio.enabled=true", "--intake.channels.twilio.auth-token=",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(rootCause(failure)).isInstanceOf(IllegalArgumentException.class);
        assertThat(messages(failure)).contains("auth");
    }

    @Test
    void malformedWebhookSecretStopsStartUpNamingTheSourceButNotTheSecret() {
        Throwable failure = start("--intake.channels.webhooks.sources.shop.secrets[0]=not-a-whsec-secret",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(messages(failure)).contains("shop").doesNotContain("not-a-whsec-secret");
    }

    @Test
    void unreachableBrokerStopsStartUpNamingIt() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Throwable failure = start("--camel.component.kafka.brokers=127.0.0.1:" + closedPort, "--intake.topics.create-timeout-ms=2000");

        assertThat(messages(failure)).contains("127.0.0.1:" + closedPort, "KAFKA_BOOTSTRAP_SERVERS");
    }

    private static Throwable start(String... args) {
        SpringApplication app = new SpringApplication(IntakeApplication.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        try (ConfigurableApplicationContext ignored = app.run(args)) {
            throw new AssertionError("Intake started although it should not have");
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable failure) {
            return failure;
        }
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String messages(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t.getMessage()).append('\n');
        }
        return all.toString();
    }
}
