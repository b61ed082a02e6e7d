package intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.FreePorts;
import intake.testing.Http;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped launch, end to end: the packaged jar (the {@code package} phase has built it),
 * extracted, started by {@code bin/intake} as a process of its own, in Spring AOT mode with the
 * JVM's class archive. The first start has no broker: it serves in bypass mode and writes the
 * archive on its way out. The next start must use that archive (its JVM is told to refuse to start
 * without it), takes a ticket through Kafka to the agent, and serves a channel that the build had
 * off and the environment switches on (Spring AOT fixed the bean definitions at build time). Start-up
 * time itself is measured by bench/startup-without-broker.sh, not here.
 */
class PackagedLaunchIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** JDK 24+: bin/intake uses the JVM's AOT cache, earlier JDKs an AppCDS archive. */
    /** The management user each launch gets from the environment, as a deployment would. */
    private static final Http.Credentials MANAGEMENT = new Http.Credentials("launch", "launch-test-management-password");
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 24;
    private static final String SCHEMA = "intake_launch_" + ProcessHandle.current().pid();
    private static final String FORM = "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"subject\":\"Invoice\","
            + "\"message\":\"I was charged twice for order A-1001.\"}";

    @TempDir
    static Path work;

    @Test
    void theFirstStartServesInBypassModeAndTrainsTheArchiveThatTheNextStartUses() throws Exception {
        Path app = extractPackagedJar();
        Path archives = Files.createDirectory(work.resolve("archives"));

        try (Launch first = Launch.start(app, archives, "127.0.0.1:" + FreePorts.free(), "", Map.of())) {
            HttpResponse<String> accepted = first.awaitServing();
            assertThat(accepted.body()).contains("ticketId");
            JsonNode health = JSON.readTree(Http.get(first.managementUrl("/actuator/health"), MANAGEMENT).body());
            assertThat(health.at("/components/kafka/status").asText()).as(health.toString()).isEqualTo("DEGRADED");
            assertThat(first.log()).contains("Starting AOT-processed IntakeApplication", "this start trains");
            // bin/intake execs the JVM: the process is the JVM itself, and one that runs out of memory exits
            assertThat(first.process().info().arguments()).hasValueSatisfying(arguments ->
                    assertThat(arguments).contains("-XX:+ExitOnOutOfMemoryError"));
            first.stop();
        }
        try (Stream<Path> written = Files.list(archives)) {
            assertThat(written.map(p -> p.getFileName().toString()).toList())
                    .singleElement().asString().startsWith("intake-").endsWith(AOT_CACHE ? ".aot" : ".jsa");
        }

        // -Xshare:on / -XX:AOTMode=on: the JVM exits rather than run without the archive
        String requireArchive = AOT_CACHE ? "-XX:AOTMode=on" : "-Xshare:on";
        Map<String, String> metaOn = Map.of("INTAKE_CHANNELS_META_ENABLED", "true",
                "INTAKE_CHANNELS_META_APP_SECRET", "launch-test-app-secret", "INTAKE_CHANNELS_META_VERIFY_TOKEN", "launch-test-token");
        try (Launch next = Launch.start(app, archives, TestKafka.bootstrapServers(), requireArchive, metaOn)) {
            String statusUrl = JSON.readTree(next.awaitServing().body()).get("statusUrl").asText();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Http.get(next.url(statusUrl)).statusCode() == 200);
            JsonNode decision = JSON.readTree(Http.get(next.url(statusUrl)).body());
            assertThat(decision.get("category").asText()).isEqualTo("billing");
            // UP once the relay has sent what the first start left in the outbox
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() ->
                    JSON.readTree(Http.get(next.managementUrl("/actuator/health"), MANAGEMENT).body()).at("/components/kafka/status").asText(), "UP"::equals);
            // the AOT-processed management server asks for credentials too
            assertThat(Http.get(next.managementUrl("/actuator/health")).statusCode()).isEqualTo(401);
            HttpResponse<String> handshake = Http.get(next.url("/whatsapp/meta?hub.mode=subscribe&hub.verify_token=launch-test-token&hub.challenge=8675309"));
            assertThat(handshake.statusCode()).as(handshake.body()).isEqualTo(200);
            assertThat(handshake.body()).isEqualTo("8675309");
            assertThat(next.log()).contains("Starting AOT-processed IntakeApplication").doesNotContain("this start trains");
            next.stop();
        }
    }

    private static Path extractPackagedJar() throws Exception {
        Path jar;
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            jar = built.filter(p -> p.getFileName().toString().matches("intake-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No target/intake-*.jar: run the package phase first (./mvnw verify does)"));
        }
        Path app = work.resolve("app");
        Process extract = new ProcessBuilder(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", app.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("extract.log").toFile()).start();
        assertThat(extract.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(extract.exitValue()).as(Files.readString(work.resolve("extract.log"))).isZero();
        return app;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    @AfterAll
    static void dropSchema() {
        TestDatabase.dropSchema(SCHEMA);
    }

    /** One start of bin/intake, on loopback and free ports, against the test database. */
    private record Launch(Process process, Path logFile, int httpPort, int managementPort) implements AutoCloseable {

        static Launch start(Path app, Path archives, String brokers, String javaOpts, Map<String, String> settings) throws IOException {
            int httpPort = FreePorts.free();
            int managementPort = FreePorts.free();
            Path logFile = Files.createTempFile(work, "intake-", ".log");
            ProcessBuilder launch = new ProcessBuilder(List.of("bin/intake", app.toString(), "--spring.flyway.schemas=" + SCHEMA))
                    .redirectErrorStream(true).redirectOutput(logFile.toFile());
            launch.environment().putAll(Map.of(
                    "JAVA", java(), "JAVA_OPTS", javaOpts, "INTAKE_ARCHIVE_DIR", archives.toString(),
                    "KAFKA_BOOTSTRAP_SERVERS", brokers, "INTAKE_HTTP_ADDRESS", "127.0.0.1",
                    "INTAKE_HTTP_PORT", String.valueOf(httpPort), "INTAKE_MANAGEMENT_PORT", String.valueOf(managementPort),
                    "SPRING_DATASOURCE_URL", TestDatabase.url(SCHEMA), "SPRING_DATASOURCE_USERNAME", TestDatabase.user(),
                    "SPRING_DATASOURCE_PASSWORD", TestDatabase.password()));
            launch.environment().putAll(Map.of("INTAKE_MANAGEMENT_USERS_LAUNCH_PASSWORD", "{noop}" + MANAGEMENT.password(),
                    "INTAKE_MANAGEMENT_USERS_LAUNCH_ROLES", "monitoring"));
            launch.environment().put("INTAKE_TICKETS_STATUS_SECRETS_0", "launch-test-ticket-status-secret-0123456789");
            launch.environment().putAll(settings);
            return new Launch(launch.start(), logFile, httpPort, managementPort);
        }

        /** Sends the support form until Intake accepts it; fails at once if the process ends. */
        HttpResponse<String> awaitServing() {
            return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .ignoreException(IllegalStateException.class) // not listening yet
                    .until(() -> {
                        assertThat(process.isAlive()).as("Intake exited early:%n%s", log()).isTrue();
                        return Http.post(url("/forms/support"), "application/json", FORM);
                    }, response -> response.statusCode() == 202);
        }

        String url(String path) {
            return "http://127.0.0.1:" + httpPort + path;
        }

        String managementUrl(String path) {
            return "http://127.0.0.1:" + managementPort + path;
        }

        String log() throws IOException {
            return Files.readString(logFile);
        }

        /** SIGTERM, as an orchestrator stops it; the JVM writes a training run's archive as it exits. */
        void stop() throws Exception {
            process.destroy();
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("stopped within 120 s").isTrue();
            // 143: the JVM's exit on SIGTERM after a graceful shutdown
            assertThat(process.exitValue()).as(log()).isIn(0, 143);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
