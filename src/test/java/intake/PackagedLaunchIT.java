package intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.FreePorts;
import intake.testing.Http;
import intake.testing.IntakeProcess;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
    private static final Http.Credentials MANAGEMENT = IntakeProcess.MANAGEMENT;
    /** JDK 24+: bin/intake uses the JVM's AOT cache, earlier JDKs an AppCDS archive. */
    private static final boolean AOT_CACHE = Runtime.version().feature() >= 24;
    private static final String SCHEMA = "intake_launch_" + ProcessHandle.current().pid();

    @TempDir
    static Path work;

    @Test
    void theFirstStartServesInBypassModeAndTrainsTheArchiveThatTheNextStartUses() throws Exception {
        Path app = IntakeProcess.extractPackagedJar(work);
        Path archives = Files.createDirectory(work.resolve("archives"));

        try (IntakeProcess first = IntakeProcess.start(app, archives, SCHEMA, "127.0.0.1:" + FreePorts.free(), "", 0, Map.of())) {
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
        try (IntakeProcess next = IntakeProcess.start(app, archives, SCHEMA, TestKafka.bootstrapServers(), requireArchive, 0, metaOn)) {
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

    @AfterAll
    static void dropSchema() {
        TestDatabase.dropSchema(SCHEMA);
    }
}
