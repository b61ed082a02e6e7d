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
import com.github.tomakehurst.wiremock.matching.RequestPattern;
import intake.testing.EmbeddedKafkaBroker;
import intake.testing.FreePorts;
import intake.testing.Http;
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
 * busy (12 threads, and the agent, a WireMock stand-in for an agent service, takes 100 ms a ticket), then started
 * again. Every ticket a client got a 2xx for must end with exactly one decision on
 * fte.agent.decisions (a decision published again after a crash is the same decision: the same
 * decisionId and decidedAt; a second decision would have a decidedAt of its own); the test counts requests, accepted, decided, decided twice and the
 * slowest request, and prints them.
 */
class CrashFaultIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CLIENTS = 8;
    private static final int CUSTOMERS = 40;
    private static final Duration ALL_DECIDED_WITHIN = Duration.ofSeconds(180);
    private static final int AGENT_DELAY_MS = 100;
    /** One per partition: the most tickets in the middle of processing at once. */
    private static final int CONSUMER_THREADS = 12;
    private static final Map<String, String> TRIAGE_AGENT = Map.of("INTAKE_AGENT_TYPE", "triage");

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
        // slow enough that every consumer thread is in the middle of a ticket when the process is killed
        agent.stubFor(post(urlEqualTo("/v1/decide")).willReturn(aResponse().withStatus(200).withFixedDelay(AGENT_DELAY_MS)
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
            awaitAgentBusy();
            first.kill();
            IntakeProcess second = start(port);
            awaitAgentBusy();
            second.kill();
            start(port);
            load.awaitAccepted(1600);
            load.stop();
            assertEveryAcceptedTicketDecidedOnce(load, "two SIGKILLs mid-load");
        }
    }

    /** The default agent: the consumer works its polls in rounds of many tickets (docs/adr/0015), and a kill lands inside one. */
    @Test
    void killedMidRoundWithTheTriageAgentItLosesNoAcceptedTicketAndDecidesNoneTwice() throws Exception {
        int port = FreePorts.free();
        IntakeProcess first = start(port, TRIAGE_AGENT);
        try (Load load = new Load(() -> port)) {
            awaitDecided(storedDecisions() + 300);
            first.kill();
            IntakeProcess second = start(port, TRIAGE_AGENT);
            awaitDecided(storedDecisions() + 300);
            second.kill();
            start(port, TRIAGE_AGENT);
            load.awaitAccepted(load.acceptedTicketIds().size() + 600);
            load.stop();
            assertEveryAcceptedTicketDecidedOnce(load, "two SIGKILLs mid-round, triage agent");
        }
    }

    @Test
    void killedDuringBypassProcessingItLosesNothingOnceTheBrokerIsBack() throws Exception {
        int port = FreePorts.free();
        IntakeProcess first = start(port);
        try (Load load = new Load(() -> port)) {
            awaitAgentBusy();
            broker.stop(); // bypass mode: each ticket goes to the outbox and is processed by the agent at once
            awaitAgentBusy();
            first.kill();
            broker.start();
            start(port);
            load.awaitAccepted(load.acceptedTicketIds().size() + 300);
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
            awaitAgentBusy();
            a.kill();
            load.awaitAccepted(load.acceptedTicketIds().size() + 600);
            load.stop();
            assertEveryAcceptedTicketDecidedOnce(load, "two instances, one SIGKILLed");
        }
    }

    @Test
    void anUnsendableRecordNeitherStopsTheRelayNorKeepsIntakeInBypass() throws Exception {
        int port = FreePorts.free();
        IntakeProcess intake = start(port);
        try (Load load = new Load(() -> port)) {
            broker.stop();
            load.awaitAccepted(load.acceptedTicketIds().size() + 100); // into the outbox
            // a row the broker refuses for good (a record over max.request.size), as an older version
            // or a lowered topic limit could leave it, among rows that wait to be relayed
            try (java.sql.Connection connection = java.sql.DriverManager.getConnection(TestDatabase.url(schema), TestDatabase.user(),
                    TestDatabase.password());
                 java.sql.PreparedStatement insert = connection.prepareStatement("insert into outbox (topic, record_key, record_value,"
                         + " headers, created_at) values ('fte.tickets.incoming', 'poison@example.com', ?, '{}', now())")) {
                insert.setBytes(1, new byte[2 * 1024 * 1024]);
                insert.executeUpdate();
            }
            load.awaitAccepted(load.acceptedTicketIds().size() + 100);
            broker.start();
            load.awaitAccepted(load.acceptedTicketIds().size() + 200);
            load.stop();
            assertEveryAcceptedTicketDecidedOnce(load, "an unsendable outbox row");
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonNode kafkaHealth = JSON.readTree(Http.get(intake.managementUrl("/actuator/health"), IntakeProcess.MANAGEMENT)
                    .body()).at("/components/kafka");
            assertThat(kafkaHealth.path("status").asText()).as(kafkaHealth.toString()).isEqualTo("UP");
            assertThat(kafkaHealth.at("/details/outboxDepth").asLong()).isZero();
            assertThat(kafkaHealth.at("/details/outboxQuarantined").asLong()).isEqualTo(1);
        });
    }

    /** Until the agent has had 100 more calls: tickets are being processed now, so a kill lands in the middle of some. */
    private static void awaitAgentBusy() {
        long before = agentCalls();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> agentCalls() >= before + 100);
    }

    private static long agentCalls() {
        return agent.countRequestsMatching(RequestPattern.everything()).getCount();
    }

    /** Until this many decisions are stored: the consumer is working rounds now, so a kill lands in the middle of one. */
    private void awaitDecided(long count) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> storedDecisions() >= count);
    }

    private long storedDecisions() {
        return count("select count(*) from tickets");
    }

    private IntakeProcess start(int port) throws Exception {
        return start(port, Map.of("INTAKE_AGENT_TYPE", "http", "INTAKE_AGENT_HTTP_URL", "http://127.0.0.1:" + agent.port() + "/v1/decide"));
    }

    private IntakeProcess start(int port, Map<String, String> agentSettings) throws Exception {
        Map<String, String> environment = new HashMap<>(agentSettings);
        environment.put("INTAKE_CONSUMER_THREADS", String.valueOf(CONSUMER_THREADS));
        // a killed member's partitions move on after 10 s instead of Kafka's 45 s (the broker's minimum is 6 s)
        environment.put("CAMEL_COMPONENT_KAFKA_SESSION_TIMEOUT_MS", "10000");
        IntakeProcess intake = IntakeProcess.start(app, work, schema, broker.bootstrapServers(), "", port, environment);
        started.add(intake);
        intake.awaitServing();
        return intake;
    }

    private void assertEveryAcceptedTicketDecidedOnce(Load load, String fault) {
        Set<String> accepted = load.acceptedTicketIds();
        KafkaTopics kafka = new KafkaTopics(broker.bootstrapServers());
        Map<String, Set<String>> decisions = new HashMap<>();
        try {
            await().atMost(ALL_DECIDED_WITHIN).pollInterval(Duration.ofSeconds(2)).until(() -> {
                decisions.clear();
                decisions.putAll(decisionsByTicket(kafka.readAll("fte.agent.decisions")));
                return decisions.keySet().containsAll(accepted);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the figures below say how many are missing
        }
        Set<String> undecided = new HashSet<>(accepted);
        undecided.removeAll(decisions.keySet());
        long decidedTwice = accepted.stream().filter(id -> decisions.getOrDefault(id, Set.of()).size() > 1).count();
        System.out.printf("CrashFaultIT (%s): %d requests, %d accepted, %d decided, %d decided twice, %d undecided,"
                        + " %d refused or unanswered while down, slowest request %d ms, %d claims never confirmed%n", fault,
                load.requests.get(), accepted.size(), accepted.size() - undecided.size(), decidedTwice, undecided.size(),
                load.notAccepted.get(), load.slowestMillis.get(), unconfirmedClaims());
        assertThat(undecided).as("accepted tickets never decided").isEmpty();
        assertThat(decidedTwice).as("accepted tickets decided more than once").isZero();
    }

    private long unconfirmedClaims() {
        return count("select count(*) from processed_messages where confirmed = false");
    }

    private long count(String query) {
        try (java.sql.Connection connection = java.sql.DriverManager.getConnection(TestDatabase.url(schema), TestDatabase.user(),
                TestDatabase.password());
             java.sql.ResultSet count = connection.createStatement().executeQuery(query)) {
            count.next();
            return count.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each ticket's distinct decisions, as decisionId and decidedAt. */
    private static Map<String, Set<String>> decisionsByTicket(List<ConsumerRecord<String, byte[]>> decisions) throws IOException {
        Map<String, Set<String>> byTicket = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : decisions) {
            JsonNode decision = JSON.readTree(record.value());
            byTicket.computeIfAbsent(decision.path("ticketId").asText(), id -> new HashSet<>())
                    .add(decision.path("decisionId").asText() + "@" + decision.path("decidedAt").asText());
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
