package intake;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import intake.testing.EmbeddedKafkaBroker;
import intake.testing.FreePorts;
import intake.testing.IntakeProcess;
import intake.testing.KafkaTopics;
import intake.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero loss and one decision per ticket when the process dies: the packaged jar, started by
 * bin/intake as a process of its own, SIGKILLed under load from 8 clients while its consumer is
 * busy (the agent, a WireMock stand-in for an agent service, takes 25 ms a ticket), then started
 * again. Every ticket a client got a 2xx for must end with exactly one decision (one decisionId)
 * on fte.agent.decisions; the test counts requests, accepted, decided, decided twice and the
 * slowest request, and prints them.
 */
class CrashFaultIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 8;
    private static final int CUSTOMERS = 40;
    private static final Duration ALL_DECIDED_WITHIN = Duration.ofSeconds(180);

    @TempDir
    static Path work;
    private static Path app;
    private static WireMockServer agent;

    private EmbeddedKafkaBroker broker;
    private String schema;
    private final List<IntakeProcess> started = new ArrayList<>();

    @BeforeAll
    static void extractAndStartTheAgent() throws Exception {
        app = IntakeProcess.extractPackagedJar(work);
        agent = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        agent.start();
        // slow enough that the consumer still works through a backlog when the process is killed
        agent.stubFor(post(urlEqualTo("/v1/decide")).willReturn(aResponse().withStatus(200).withFixedDelay(25)
                .withHeader("Content-Type", "application/json").withTransformers("response-template")
                .withBody("""
                        {"ticketId": "{{jsonPath request.body '$.ticketId'}}", "customerId": "{{jsonPath request.body '$.customerId'}}",
                         "agent": "http", "category": "general", "priority": "normal", "escalate": false,
                         "escalationReasons": [], "reply": "We are on it."}""")));
    }

    @AfterAll
    static void stopTheAgent() {
        agent.stop();
    }

    @BeforeEach
    void brokerAndSchema() throws IOException {
        broker = EmbeddedKafkaBroker.onFreePorts(Files.createTempDirectory(work, "kafka-")).start();
        schema = "intake_crash_" + ProcessHandle.current().pid() + "_" + System.nanoTime() % 100_000;
    }

    @AfterEach
    void stopEverything() {
        started.forEach(IntakeProcess::close);
        broker.stop();
        TestDatabase.dropSchema(schema);
    }

    @Test
    void killedTwiceMidLoadItLosesNoAcceptedTicketAndDecidesNoneTwice() throws Exception {
        int port = FreePorts.free();
        IntakeProcess first = start(port);
        try (Load load = new Load(() -> port)) {
            load.awaitAccepted(400);
            first.kill();
            IntakeProcess second = start(port);
            load.awaitAccepted(900);
            second.kill();
            start(port);
            load.awaitAccepted(1600);
            load.stop();
            assertEveryAcceptedTicketDecidedOnce(load, "two SIGKILLs mid-load");
        }
    }

    @Test
    void killedDuringBypassProcessingItLosesNothingOnceTheBrokerIsBack() throws Exception {
        int port = FreePorts.free();
        IntakeProcess first = start(port);
        try (Load load = new Load(() -> port)) {
            load.awaitAccepted(200);
            broker.stop(); // bypass mode: each ticket goes to the outbox and is processed by the agent at once
            load.awaitAccepted(600);
            first.kill();
            broker.start();
            start(port);
            load.awaitAccepted(900);
            load.stop();
            assertEveryAcceptedTicketDecidedOnce(load, "a SIGKILL during bypass processing");
        }
    }

    @Test
    void twoInstancesOneKilledTheOtherTakesOverAndNothingIsLostOrDecidedTwice() throws Exception {
        int portA = FreePorts.free();
        int portB = FreePorts.free();
        IntakeProcess a = start(portA);
        start(portB);
        AtomicInteger next = new AtomicInteger();
        try (Load load = new Load(() -> next.getAndIncrement() % 2 == 0 ? portA : portB)) {
            load.awaitAccepted(500);
            a.kill();
            load.awaitAccepted(1200);
            load.stop();
            assertEveryAcceptedTicketDecidedOnce(load, "two instances, one SIGKILLed");
        }
    }

    private IntakeProcess start(int port) throws Exception {
        IntakeProcess intake = IntakeProcess.start(app, work, schema, broker.bootstrapServers(), "", port, Map.of(
                "INTAKE_AGENT_TYPE", "http", "INTAKE_AGENT_HTTP_URL", "http://127.0.0.1:" + agent.port() + "/v1/decide"));
        started.add(intake);
        intake.awaitServing();
        return intake;
    }

    private void assertEveryAcceptedTicketDecidedOnce(Load load, String fault) {
        Set<String> accepted = load.acceptedTicketIds();
        KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers());
        Map<String, Set<String>> decisionIds = new HashMap<>();
        try {
            await().atMost(ALL_DECIDED_WITHIN).pollInterval(Duration.ofSeconds(2)).until(() -> {
                decisionIds.clear();
                decisionIds.putAll(decisionIdsByTicket(kafka.readAll("fte.agent.decisions")));
                return decisionIds.keySet().containsAll(accepted);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the figures below say how many are missing
        }
        Set<String> undecided = new HashSet<>(accepted);
        undecided.removeAll(decisionIds.keySet());
        long decidedTwice = accepted.stream().filter(id -> decisionIds.getOrDefault(id, Set.of()).size() > 1).count();
        System.out.printf("CrashFaultIT (%s): %d requests, %d accepted, %d decided, %d decided twice, %d undecided,"
                        + " %d refused or unanswered while down, slowest request %d ms%n", fault, load.requests.get(), accepted.size(),
                accepted.size() - undecided.size(), decidedTwice, undecided.size(), load.notAccepted.get(), load.slowestMillis.get());
        assertThat(undecided).as("accepted tickets never decided").isEmpty();
        assertThat(decidedTwice).as("accepted tickets decided more than once").isZero();
    }

    private static Map<String, Set<String>> decisionIdsByTicket(List<ConsumerRecord<String, byte[]>> decisions) throws IOException {
        Map<String, Set<String>> byTicket = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : decisions) {
            JsonNode decision = JSON.readTree(record.value());
            byTicket.computeIfAbsent(decision.path("ticketId").asText(), id -> new HashSet<>()).add(decision.path("decisionId").asText());
        }
        return byTicket;
    }

    /** 8 clients posting the web form as fast as they are answered, to whichever port they are given. */
    private static final class Load implements AutoCloseable {

        private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> clients = new ArrayList<>();
        private final ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
        private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
        final AtomicLong requests = new AtomicLong();
        final AtomicLong notAccepted = new AtomicLong();
        final AtomicLong slowestMillis = new AtomicLong();

        Load(IntSupplier port) {
            for (int i = 0; i < CLIENTS; i++) {
                Thread thread = new Thread(() -> {
                    while (running.get()) {
                        send(port.getAsInt());
                    }
                }, "crash-load-" + i);
                thread.start();
                clients.add(thread);
            }
        }

        private void send(int port) {
            long n = requests.incrementAndGet();
            String body = """
                    {"name":"Customer %d","email":"customer-%d@example.com","subject":"Order","message":"Where is my order? (%d)"}"""
                    .formatted(n % CUSTOMERS, n % CUSTOMERS, n);
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/forms/support"))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            long began = System.nanoTime();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                statuses.computeIfAbsent(response.statusCode(), s -> new AtomicLong()).incrementAndGet();
                if (response.statusCode() == 202) {
                    accepted.add(JSON.readTree(response.body()).get("ticketId").asText());
                    slowestMillis.accumulateAndGet((System.nanoTime() - began) / 1_000_000, Math::max);
                } else {
                    notAccepted.incrementAndGet();
                }
            } catch (IOException e) {
                // the process is down or dying: nothing was acknowledged
                notAccepted.incrementAndGet();
                pause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void awaitAccepted(int count) {
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(50)).until(() -> accepted.size() >= count);
        }

        Set<String> acceptedTicketIds() {
            return new HashSet<>(accepted);
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread client : clients) {
                client.join(15_000);
            }
            assertThat(statuses.keySet()).as("answers: %s", statuses).isSubsetOf(202, 503);
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }

        private static void pause() {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
