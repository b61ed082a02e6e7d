package intake.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import intake.database.StatementTimeout;
import intake.publish.RecordSizeLimit;
import intake.publish.TopicProvisioner;
import intake.testing.KafkaTopics;
import intake.testing.Records;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay against the real broker and PostgreSQL, on a schema of its own: each row is settled
 * by its own acknowledgement, and two relays on one outbox keep every customer's order.
 */
class OutboxRelayTest {

    private final String schema = "intake_outbox_relay_" + ProcessHandle.current().pid();
    private final KafkaTopics kafka = new KafkaTopics(TestKafka.bootstrapServers());
    private final List<OutboxRelay> relays = new ArrayList<>();
    private final CircuitBreaker breaker = CircuitBreaker.of("kafka", CircuitBreakerConfig.custom()
            .permittedNumberOfCallsInHalfOpenState(1).build());
    private HikariDataSource dataSource;

    @BeforeEach
    void migrate() throws Exception {
        dataSource = TestDatabase.migratedSchema(schema);
    }

    @AfterEach
    void drop() {
        relays.forEach(OutboxRelay::close);
        dataSource.close();
        TestDatabase.dropSchema(schema);
    }

    @Test
    void aBatchThatFailsPartWaySendsNothingAgainThatLanded() throws Exception {
        String landing = createTopic("relay-landing");
        String missing = "fte.test.relay-missing-" + UUID.randomUUID(); // no such topic yet: a failure that may pass
        insert(landing, "ada", 1);
        insert(landing, "ada", 2);
        insert(missing, "bob", 1);
        insert(landing, "ada", 3);
        insert(landing, "cy", 1);
        OutboxRelay relay = relay("relay-a", 10);

        assertThatThrownBy(relay::relay).isInstanceOf(OutboxRelayException.class)
                .hasMessageContaining("2 of 5 outbox records relayed, 3 given back");
        assertThat(depth()).as("the two that landed are deleted; the rest wait").isEqualTo(3);

        createTopic(missing);
        drain(relay);

        Map<String, List<Integer>> landed = sequencesByKey(kafka.readAll(landing));
        assertThat(landed).as("each record exactly once, in order").containsOnly(
                Map.entry("ada", List.of(1, 2, 3)), Map.entry("cy", List.of(1)));
        assertThat(sequencesByKey(kafka.readAll(missing))).containsOnly(Map.entry("bob", List.of(1)));
    }

    @Test
    void twoRelaysAtOnceKeepEachCustomersOrder() throws Exception {
        String topic = createTopic("relay-order");
        List<String> customers = List.of("ada", "bob", "cy", "dee", "eve", "fay");
        int perCustomer = 60;
        for (int sequence = 1; sequence <= perCustomer; sequence++) {
            for (String customer : customers) {
                insert(topic, customer, sequence);
            }
        }
        // small batches, so the two relays take turns on every customer many times
        OutboxRelay first = relay("relay-a", 7);
        OutboxRelay second = relay("relay-b", 7);
        CountDownLatch start = new CountDownLatch(1);
        CompletableFuture<Integer> firstRelayed = CompletableFuture.supplyAsync(() -> drainAfter(start, first));
        CompletableFuture<Integer> secondRelayed = CompletableFuture.supplyAsync(() -> drainAfter(start, second));
        start.countDown();

        int total = firstRelayed.get(60, TimeUnit.SECONDS) + secondRelayed.get(60, TimeUnit.SECONDS);
        assertThat(total).isEqualTo(customers.size() * perCustomer);
        assertThat(firstRelayed.get()).as("both relays relayed").isPositive();
        assertThat(secondRelayed.get()).as("both relays relayed").isPositive();
        List<Integer> expected = java.util.stream.IntStream.rangeClosed(1, perCustomer).boxed().toList();
        Map<String, List<Integer>> landed = sequencesByKey(kafka.readAll(topic));
        assertThat(landed).hasSize(customers.size());
        landed.forEach((customer, sequences) ->
                assertThat(sequences).as("%s's records, in the order they were accepted", customer).isEqualTo(expected));
    }

    @Test
    void aDrainRelaysBatchAfterBatchWhileTheyComeFullAndStopsAtTheFirstThatIsNot() throws Exception {
        String topic = createTopic("relay-drain");
        for (int sequence = 1; sequence <= 25; sequence++) {
            insert(topic, "customer-" + sequence % 3, sequence);
        }
        OutboxRelay relay = relay("relay-a", 10);

        breaker.transitionToOpenState();
        assertThat(relay.drain(10_000)).as("an open breaker lets no batch through").isZero();
        breaker.transitionToClosedState();
        assertThat(relay.drain(10_000)).as("two full batches and the five left").isEqualTo(25);
        assertThat(depth()).isZero();
        assertThat(kafka.readAll(topic)).hasSize(25);
        assertThat(relay.drain(10_000)).as("nothing waits").isZero();
    }

    @Test
    void aDrainEndsWithinItsTimeAfterTheBatchItIsIn() throws Exception {
        String topic = createTopic("relay-drain-time");
        for (int sequence = 1; sequence <= 30; sequence++) {
            insert(topic, "customer-1", sequence);
        }
        OutboxRelay relay = relay("relay-a", 10);

        assertThat(relay.drain(0)).as("one batch: the time is up once it is relayed").isEqualTo(10);
        assertThat(depth()).isEqualTo(20);
    }

    @Test
    void eachBatchIsACallOfTheBreakerThatClosesItOnceKafkaTakesIt() throws Exception {
        String topic = createTopic("relay-breaker");
        insert(topic, "customer-1", 1);
        OutboxRelay relay = relay("relay-a", 10);

        breaker.transitionToOpenState();
        assertThat(relay.relay()).as("an open breaker lets no batch through").isZero();
        assertThat(depth()).isEqualTo(1);

        breaker.transitionToHalfOpenState();
        assertThat(relay.relay()).as("the trial batch").isEqualTo(1);
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(kafka.readAll(topic)).hasSize(1);

        String missing = "fte.test.relay-missing-" + UUID.randomUUID(); // a failure that may pass
        insert(missing, "customer-1", 2);
        breaker.transitionToOpenState();
        breaker.transitionToHalfOpenState();
        assertThatThrownBy(relay::relay).isInstanceOf(OutboxRelayException.class);
        assertThat(breaker.getState()).as("the failed trial opens it again").isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(depth()).as("the row waits for the next trial").isEqualTo(1);
    }

    private int drainAfter(CountDownLatch start, OutboxRelay relay) {
        try {
            start.await();
            return drain(relay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs the relay until the outbox is empty; returns how many records it relayed. */
    private int drain(OutboxRelay relay) {
        int relayed = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (depth() > 0 && System.nanoTime() < deadline) {
            relayed += relay.relay();
        }
        assertThat(depth()).isZero();
        return relayed;
    }

    private OutboxRelay relay(String instanceId, int batchSize) {
        Outbox outbox = new Outbox(dataSource, Clock.systemUTC(), instanceId, Duration.ofSeconds(30), StatementTimeout.of(Duration.ofSeconds(1)));
        TopicProvisioner topics = new TopicProvisioner(TestKafka.bootstrapServers(), List.of(), 1, (short) 1, 1000);
        OutboxRelay relay = new OutboxRelay(outbox, breaker, new RecordSizeLimit(1_048_576, topics), OutboxRelayTest::producer, topics,
                batchSize, new SimpleMeterRegistry());
        relays.add(relay);
        return relay;
    }

    /** A producer set up as application.yaml sets Intake's: acks=all, idempotent, gives up within 700 ms. */
    private static Producer<String, byte[]> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 200);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 400);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 500);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private void insert(String topic, String key, int sequence) throws Exception {
        try (Connection connection = dataSource.getConnection(); PreparedStatement insert = connection.prepareStatement(
                "insert into outbox (topic, record_key, record_value, headers, created_at) values (?, ?, ?, ?, ?)")) {
            insert.setString(1, topic);
            insert.setString(2, key);
            insert.setBytes(3, (key + "-" + sequence).getBytes(StandardCharsets.UTF_8));
            insert.setString(4, "{\"intake_sequence\": \"" + sequence + "\"}");
            insert.setTimestamp(5, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private long depth() {
        return new Outbox(dataSource, Clock.systemUTC(), "test", Duration.ofSeconds(30), StatementTimeout.of(Duration.ofSeconds(1))).depth();
    }

    private static Map<String, List<Integer>> sequencesByKey(List<ConsumerRecord<String, byte[]>> records) {
        // one partition per topic here, so the topic's order is the order the records landed in
        return records.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                Collectors.mapping(r -> Integer.parseInt(Records.header(r, "intake_sequence")), Collectors.toList())));
    }

    private static String createTopic(String name) throws Exception {
        String topic = name.startsWith("fte.test.") ? name : "fte.test." + name + "-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
        }
        return topic;
    }
}
