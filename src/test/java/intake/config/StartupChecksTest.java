package intake.config;

import static org.assertj.core.api.Assertions.assertThat;

import intake.IntakeApplication;
import intake.testing.FailedStart;
import intake.testing.FreePorts;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.wiring.RouteBeans;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Start-up fails fast, with a message naming the cause, when a part is missing that no mode can
 * do without (a channel's secret); a broker that is down means bypass mode instead.
 */
class StartupChecksTest {

    /** No profile is active here: each start gets a valid status secret, so it fails only for the cause it tests. */
    private static final String STATUS_SECRET = "--intake.tickets.status-secrets[0]=startup-test-ticket-status-secret-0123";

    @Test
    void enabledTwilioChannelWithoutAuthTokenStopsStartUp() {
        Throwable failure = start(STATUS_SECRET, "--intake.channels.twilio.enabled=true", "--intake.channels.twilio.auth-token=",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(rootCause(failure)).isInstanceOf(IllegalArgumentException.class);
        assertThat(messages(failure)).contains("auth");
    }

    @Test
    void enabledTwilioChannelWithoutPublicUrlStopsStartUp() {
        Throwable failure = start(STATUS_SECRET, "--intake.channels.twilio.enabled=true", "--intake.channels.twilio.auth-token=t0ken",
                "--intake.channels.twilio.public-url=", "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(rootCause(failure)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("intake.channels.twilio.public-url must be set when the Twilio channel is enabled");
    }

    @Test
    void anEmailLimitThatCannotFitOneKafkaRecordStopsStartUp() {
        Throwable failure = start(STATUS_SECRET, "--intake.channels.email.enabled=true", "--intake.channels.email.host=127.0.0.1",
                "--intake.channels.email.max-message-bytes=1048576", "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(messages(failure)).contains("intake.channels.email.max-message-bytes (1048576) must stay at least 16384 bytes"
                + " below camel.component.kafka.max-request-size (1048576)");
    }

    @Test
    void webhookFieldPathsThatCannotWorkStopStartUpNamingTheProperty() {
        String source = "--intake.channels.webhooks.sources.desk.secrets[0]=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        String broker = "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers();
        String fields = "--intake.channels.webhooks.sources.desk.fields.";

        assertThat(messages(start(STATUS_SECRET, source, broker, fields + "customer-email=$.from", fields + "message=$.comments[0")))
                .contains("intake.channels.webhooks.sources.desk.fields.message '$.comments[0' is not a JSONPath");
        assertThat(messages(start(STATUS_SECRET, source, broker, fields + "customer-email=$.from", fields + "message=$.messages[*].text")))
                .contains("intake.channels.webhooks.sources.desk.fields.message '$.messages[*].text' may point at several values");
        assertThat(messages(start(STATUS_SECRET, source, broker, fields + "customer-email=$.from")))
                .contains("intake.channels.webhooks.sources.desk.fields.message is required");
        assertThat(messages(start(STATUS_SECRET, source, broker, fields + "message=$.text")))
                .contains("intake.channels.webhooks.sources.desk.fields needs at least one of customer-email, customer-phone and customer-id");
    }

    @Test
    void malformedWebhookSecretStopsStartUpNamingTheSourceButNotTheSecret() {
        Throwable failure = start(STATUS_SECRET, "--intake.channels.webhooks.sources.shop.secrets[0]=not-a-whsec-secret",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(messages(failure)).contains("shop").doesNotContain("not-a-whsec-secret");
    }

    @Test
    void producerTimeoutsBeyondTheRequestBoundStopStartUp() {
        Throwable failure = start(STATUS_SECRET, "--camel.component.kafka.delivery-timeout-ms=2000",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(messages(failure)).contains("max-block-ms (200) + delivery-timeout-ms (2000) must stay below"
                + " intake.bypass.request-bound-ms (1000)");
    }

    @Test
    void aChannelBodyLimitThatNoKafkaRecordCanHoldStopsStartUp() {
        Throwable failure = start(STATUS_SECRET, "--intake.channels.webhooks.max-body-bytes=1040000",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(messages(failure)).contains("intake.channels.webhooks.max-body-bytes (1040000) must stay at least 16384 bytes"
                + " below camel.component.kafka.max-request-size (1048576)");
    }

    @Test
    void aPollThatCanOutlastMaxPollIntervalStopsStartUp() throws Exception {
        String schema = "intake_startup_poll_" + ProcessHandle.current().pid();
        try {
            // 30 s agent timeout: 15.5 s of delays + 6 attempts x 45.7 s + 27.7 s = 317.4 s per record
            Throwable failure = start(STATUS_SECRET, "--intake.agent.type=http", "--intake.agent.http.url=http://127.0.0.1:9/decide",
                    "--intake.agent.http.timeout=30s", "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers(),
                    "--spring.datasource.url=" + TestDatabase.url(schema), "--spring.datasource.username=" + TestDatabase.user(),
                    "--spring.datasource.password=" + TestDatabase.password(), "--spring.flyway.schemas=" + schema);

            assertThat(messages(failure)).contains("One record at its worst (317.4 s: 15.5 s of redelivery delays + 6 attempts"
                    + " x 45.7 s + 27.7 s) must fit in half of intake.consumer.max-poll-interval-ms (300 s of 600 s)");
        } finally {
            TestDatabase.dropSchema(schema);
        }
    }

    @Test
    void noTicketStatusSecretOrAShortOneStopsStartUpNamingTheSetting() {
        String shortSecret = "only-31-bytes-long-status-secre";
        Throwable missing = start("--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());
        Throwable tooShort = start(STATUS_SECRET, "--intake.tickets.status-secrets[1]=" + shortSecret,
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers());

        assertThat(messages(missing)).contains("intake.tickets.status-secrets is missing");
        assertThat(messages(tooShort)).contains("intake.tickets.status-secrets[1] is 31 bytes long; it must be at least 32 bytes")
                .doesNotContain(shortSecret);
    }

    @Test
    void unreachableBrokerMeansBypassModeAtOnceNotAFailedStart() throws Exception {
        int closedPort = FreePorts.free();
        String schema = "intake_startup_" + ProcessHandle.current().pid();
        SpringApplication app = new SpringApplication(IntakeApplication.class);
        try (ConfigurableApplicationContext context = app.run(STATUS_SECRET, "--camel.component.kafka.brokers=127.0.0.1:" + closedPort,
                "--server.port=0", "--server.address=127.0.0.1", "--management.server.port=0", "--management.server.address=127.0.0.1",
                "--intake.management.users.ops.password={noop}ops-password", "--intake.management.users.ops.roles=operator",
                // still OPEN when a slow start (a cold JVM on a busy machine) ends after the 2 s of the default
                "--intake.bypass.wait-in-open-state=60s",
                "--spring.datasource.url=" + TestDatabase.url(schema),
                "--spring.datasource.username=" + TestDatabase.user(), "--spring.datasource.password=" + TestDatabase.password(),
                "--spring.flyway.schemas=" + schema)) {
            // how fast: bench/startup-without-broker.sh measures it; tests do not time things
            assertThat(context.getBean(RouteBeans.class).kafkaBypass().breakerState()).isEqualTo(CircuitBreaker.State.OPEN);
            assertThat(context.getBean(RouteBeans.class).kafkaBypass().active()).isTrue();
        } finally {
            TestDatabase.dropSchema(schema);
        }
    }

    @Test
    void aServingStartWithoutManagementUsersStopsStartUpNamingTheSetting() {
        Throwable failure = startServing();

        assertThat(messages(failure)).contains("No management user is configured", "intake.management.users.<name>.password",
                "intake.management.users.<name>.roles");
    }

    @Test
    void aManagementPasswordNotInEncoderFormStopsStartUpNamingTheUserButNotThePassword() {
        Throwable failure = startServing("--intake.management.users.ops.password=plain-secret-value",
                "--intake.management.users.ops.roles=operator");

        assertThat(messages(failure)).contains("intake.management.users.ops.password must be {bcrypt}")
                .doesNotContain("plain-secret-value");
    }

    @Test
    void theActuatorOnThePublicPortStopsStartUp() {
        int port = FreePorts.free();
        Throwable failure = startServing(List.of("--server.port=" + port, "--management.server.port=" + port),
                "--intake.management.users.ops.password={noop}ops-password", "--intake.management.users.ops.roles=operator");

        assertThat(messages(failure)).contains("management.server.port (INTAKE_MANAGEMENT_PORT) must differ from server.port");
    }

    /** A start with both web servers on free ports, as in production (no profile); none of these gets as far as the database. */
    private static Throwable startServing(String... args) {
        return startServing(List.of("--server.port=0", "--management.server.port=0"), args);
    }

    private static Throwable startServing(List<String> ports, String... args) {
        // a status secret, so the route beans' own checks pass and start-up reaches the management port's
        List<String> all = new ArrayList<>(List.of("--camel.component.kafka.brokers=" + TestKafka.bootstrapServers(),
                "--server.address=127.0.0.1", "--management.server.address=127.0.0.1", STATUS_SECRET));
        all.addAll(ports);
        all.addAll(List.of(args));
        SpringApplication app = new SpringApplication(IntakeApplication.class);
        try (ConfigurableApplicationContext ignored = app.run(all.toArray(String[]::new))) {
            throw new AssertionError("Intake started although it should not have");
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable failure) {
            return failure;
        }
    }

    private static Throwable start(String... args) {
        return FailedStart.of(args);
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static String messages(Throwable failure) {
        return FailedStart.messages(failure);
    }
}
