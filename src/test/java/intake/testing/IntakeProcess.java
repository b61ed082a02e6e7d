package intake.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Intake as it ships, as a process of its own: the packaged jar (the {@code package} phase has
 * built it), extracted, started by {@code bin/intake} on loopback against the test database, with
 * a management user from the environment, as a deployment would start it. For the tests that need
 * a real process: its launch, and faults where the process dies.
 */
public record IntakeProcess(Process process, Path logFile, int httpPort, int managementPort) implements AutoCloseable {

    /** The management user every launch gets. */
    public static final Http.Credentials MANAGEMENT = new Http.Credentials("launch", "launch-test-management-password");
    private static final String FORM = "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"subject\":\"Invoice\","
            + "\"message\":\"I was charged twice for order A-1001.\"}";

    /** The jar the package phase built. */
    public static Path packagedJar() throws IOException {
        try (Stream<Path> built = Files.list(Path.of("target"))) {
            return built.filter(p -> p.getFileName().toString().matches("intake-.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("No target/intake-*.jar: run the package phase first (./mvnw verify does)"));
        }
    }

    /** Extracts the packaged jar into {@code work/app} and returns that directory. */
    public static Path extractPackagedJar(Path work) throws Exception {
        Path jar = packagedJar();
        Path app = work.resolve("app");
        Process extract = new ProcessBuilder(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", app.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("extract.log").toFile()).start();
        assertThat(extract.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(extract.exitValue()).as(Files.readString(work.resolve("extract.log"))).isZero();
        return app;
    }

    /**
     * Starts {@code bin/intake} from the extracted jar, its class archive in {@code archives}, its
     * log beside the app directory, its tables in {@code schema}.
     *
     * @param httpPort the public port, 0 for a free one (a restart keeps its instance's port)
     * @param settings more environment, e.g. {@code INTAKE_AGENT_TYPE}
     */
    public static IntakeProcess start(Path app, Path archives, String schema, String brokers, String javaOpts, int httpPort,
                                      Map<String, String> settings) throws IOException {
        int http = httpPort == 0 ? FreePorts.free() : httpPort;
        int management = FreePorts.free();
        Path logFile = Files.createTempFile(app.getParent(), "intake-", ".log");
        ProcessBuilder launch = new ProcessBuilder(List.of("bin/intake", app.toString(), "--spring.flyway.schemas=" + schema))
                .redirectErrorStream(true).redirectOutput(logFile.toFile());
        launch.environment().putAll(environment(schema, brokers, http));
        launch.environment().putAll(Map.of(
                "JAVA", java(), "JAVA_OPTS", javaOpts, "INTAKE_ARCHIVE_DIR", archives.toString(),
                "INTAKE_MANAGEMENT_PORT", String.valueOf(management),
                "INTAKE_MANAGEMENT_USERS_LAUNCH_PASSWORD", "{noop}" + MANAGEMENT.password(),
                "INTAKE_MANAGEMENT_USERS_LAUNCH_ROLES", "monitoring"));
        launch.environment().putAll(settings);
        return new IntakeProcess(launch.start(), logFile, http, management);
    }

    /**
     * Starts the packaged jar under plain Camel Main, both roles, as the README's "Without Spring Boot"
     * section does, its log in {@code work}, its tables in {@code schema}. There is no management port.
     */
    public static IntakeProcess startOnCamelMain(Path work, String schema, String brokers) throws IOException {
        int http = FreePorts.free();
        Path logFile = Files.createTempFile(work, "intake-camel-main-", ".log");
        ProcessBuilder launch = new ProcessBuilder(List.of(java(), "-cp", packagedJar().toString(),
                "-Dloader.main=intake.camelmain.IntakeCamelMain", "org.springframework.boot.loader.launch.PropertiesLauncher"))
                .redirectErrorStream(true).redirectOutput(logFile.toFile());
        launch.environment().putAll(environment(schema, brokers, http));
        // a consumer group of its own: it must not take over the committed offsets of the other launches
        launch.environment().putAll(Map.of("INTAKE_CONSUMER_GROUPID", "intake-camel-main", "SPRING_FLYWAY_SCHEMAS", schema));
        return new IntakeProcess(launch.start(), logFile, http, 0);
    }

    /** What every launch is given: the broker, the public port, its database schema and a status secret. */
    private static Map<String, String> environment(String schema, String brokers, int http) {
        return Map.of("KAFKA_BOOTSTRAP_SERVERS", brokers, "INTAKE_HTTP_ADDRESS", "127.0.0.1", "INTAKE_HTTP_PORT", String.valueOf(http),
                "SPRING_DATASOURCE_URL", TestDatabase.url(schema), "SPRING_DATASOURCE_USERNAME", TestDatabase.user(),
                "SPRING_DATASOURCE_PASSWORD", TestDatabase.password(),
                "INTAKE_TICKETS_STATUS_SECRETS_0", "launch-test-ticket-status-secret-0123456789");
    }

    /** Sends the support form until Intake accepts it; fails at once if the process ends. */
    public HttpResponse<String> awaitServing() {
        return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .ignoreException(IllegalStateException.class) // not listening yet
                .until(() -> {
                    assertThat(process.isAlive()).as("Intake exited early:%n%s", log()).isTrue();
                    return Http.post(url("/forms/support"), "application/json", FORM);
                }, response -> response.statusCode() == 202);
    }

    public String url(String path) {
        return "http://127.0.0.1:" + httpPort + path;
    }

    public String managementUrl(String path) {
        return "http://127.0.0.1:" + managementPort + path;
    }

    public String log() throws IOException {
        return Files.readString(logFile);
    }

    /** SIGTERM, as an orchestrator stops it; the JVM writes a training run's archive as it exits. */
    public void stop() throws Exception {
        process.destroy();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("stopped within 120 s").isTrue();
        // 143: the JVM's exit on SIGTERM after a graceful shutdown
        assertThat(process.exitValue()).as(log()).isIn(0, 143);
    }

    /** SIGKILL: the process dies at once, in the middle of whatever it was doing, and runs no shutdown hook. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed").isTrue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
