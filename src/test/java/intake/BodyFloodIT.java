package intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.EmbeddedKafkaBroker;
import intake.testing.Http;
import intake.testing.IntakeProcess;
import intake.testing.KafkaTopics;
import intake.testing.Records;
import intake.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What callers send cannot exhaust the heap: the packaged jar, started by bin/intake with its
 * default heap, takes a flood of the largest bodies a channel accepts from as many clients at once
 * as it has request threads. The JVM (which exits on OutOfMemoryError) must stay up, every answer
 * must be a 202 or a 503 with Retry-After: overloaded (the body budget,
 * intake.http.max-body-bytes-in-flight) or, when neither Kafka, behind the flood, nor the outbox
 * stored an event in time, publish_unavailable; and every 202's ticket must be on Kafka. The test
 * prints how many of each it got.
 */
class BodyFloodIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** server.tomcat.threads.max: the most bodies read at once. */
    private static final int CLIENTS = 200;
    private static final int REQUESTS_PER_CLIENT = 4;
    /** Just under the web form's 262,144-byte limit. */
    private static final int BODY_BYTES = 260_000;

    @TempDir
    static Path work;

    @Test
    void aFloodOfTheLargestBodiesFromEveryRequestThreadIsAnsweredWithoutRunningOutOfHeap() throws Exception {
        Path app = IntakeProcess.extractPackagedJar(work);
        String schema = "intake_flood_" + ProcessHandle.current().pid();
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onFreePorts(Files.createTempDirectory(work, "kafka-")).start();
             IntakeProcess intake = IntakeProcess.start(app, work, schema, broker.bootstrapServers(), "", 0, Map.of())) {
            intake.awaitServing();
            assertThat(intake.process().info().arguments()).as("bin/intake's default heap").hasValueSatisfying(arguments ->
                    assertThat(arguments).contains("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"));

            Set<String> accepted = ConcurrentHashMap.newKeySet();
            AtomicInteger overloaded = new AtomicInteger();
            AtomicInteger unavailable = new AtomicInteger();
            List<String> unexpected = new ArrayList<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    for (int r = 0; r < REQUESTS_PER_CLIENT; r++) {
                        HttpResponse<String> answer;
                        try {
                            answer = Http.post(intake.url("/forms/support"), "application/json", form(client, r));
                        } catch (IllegalStateException noAnswer) {
                            synchronized (unexpected) {
                                unexpected.add("no answer: " + noAnswer.getCause());
                            }
                            continue;
                        }
                        if (answer.statusCode() == 202) {
                            accepted.add(JSON.readTree(answer.body()).get("ticketId").asText());
                        } else if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isPresent()
                                && answer.body().contains("\"error\":\"overloaded\"")) {
                            overloaded.incrementAndGet();
                        } else if (answer.statusCode() == 503 && answer.headers().firstValue("Retry-After").isPresent()
                                && answer.body().contains("\"error\":\"publish_unavailable\"")) {
                            unavailable.incrementAndGet();
                        } else {
                            synchronized (unexpected) {
                                unexpected.add(answer.statusCode() + " " + answer.body());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : done) {
                client.get(5, TimeUnit.MINUTES);
            }
            clients.shutdown();

            System.out.printf("BodyFloodIT: %d requests of %d bytes from %d clients: %d accepted, %d overloaded,"
                    + " %d publish_unavailable, %d other%n", CLIENTS * REQUESTS_PER_CLIENT, BODY_BYTES, CLIENTS, accepted.size(),
                    overloaded.get(), unavailable.get(), unexpected.size());
            assertThat(intake.process().isAlive()).as("the JVM is still up:%n%s", intake.log()).isTrue();
            assertThat(intake.log()).doesNotContain("OutOfMemoryError");
            assertThat(unexpected).as("answers other than 202 and a 503 with Retry-After; the errors Intake logged:%n%s",
                    errorsLogged(intake.log())).isEmpty();
            assertThat(accepted.size() + overloaded.get() + unavailable.get()).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
            assertThat(accepted).as("requests that fit in the budget").isNotEmpty();

            // Every acknowledged ticket is on Kafka (a 202 follows the broker's acknowledgement, or an outbox row the relay sends).
            KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers());
            await().atMost(Duration.ofSeconds(60)).until(() -> kafka.readAll("fte.tickets.incoming").stream()
                    .map(record -> Records.header(record, "ce_id")).collect(Collectors.toSet()).containsAll(accepted));
            intake.stop();
        } finally {
            TestDatabase.dropSchema(schema);
        }
    }

    /** The ERROR lines of a log, each with the stack trace that follows it. */
    private static String errorsLogged(String log) {
        StringBuilder errors = new StringBuilder();
        boolean inError = false;
        for (String line : log.split("\n")) {
            if (line.matches("^\\d{4}-\\d{2}-\\d{2}T.*")) {
                inError = line.contains(" ERROR ");
            }
            if (inError) {
                errors.append(line).append('\n');
            }
        }
        return errors.toString();
    }

    /** A valid support form of BODY_BYTES bytes: the padding is a field the form ignores, published whole on the raw topic. */
    private static String form(int client, int request) {
        String form = "{\"name\":\"Flood " + client + "\",\"email\":\"flood-" + client + "@example.com\",\"subject\":\"Flood\","
                + "\"message\":\"Request " + request + " of client " + client + "\",\"padding\":\"\"}";
        return form.replace("\"padding\":\"\"", "\"padding\":\"" + "x".repeat(BODY_BYTES - form.length()) + "\"");
    }
}
