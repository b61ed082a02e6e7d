package intake.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBrokerTest {

    private static final int PARTITIONS = 12;

    @TempDir
    Path dataDir;

    @Test
    void producesAndConsumesKeyedRecordsWithHeaders() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onFreePorts(dataDir)) {
            long t0 = System.nanoTime();
            broker.start();
            log("start on an empty data dir (format + start) took %d ms", millisSince(t0));
            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).startsWith("127.0.0.1:");

            createTopic(broker, "tickets");
            List<ProducerRecord<String, String>> sent = records("tickets", "r1", 8, 5);
            try (KafkaProducer<String, String> producer = producer(broker, Duration.ofSeconds(10))) {
                Map<String, Integer> partitionOfKey = new HashMap<>();
                for (ProducerRecord<String, String> record : sent) {
                    RecordMetadata md = producer.send(record).get(10, TimeUnit.SECONDS);
                    assertThat(md.partition()).isBetween(0, PARTITIONS - 1);
                    assertThat(partitionOfKey.computeIfAbsent(record.key(), k -> md.partition()))
                            .as("partition of key %s", record.key()).isEqualTo(md.partition());
                }
                assertThat(partitionOfKey.values().stream().distinct().count())
                        .as("8 keys spread over more than one of the 12 partitions").isGreaterThan(1);
            }

            List<ConsumerRecord<String, String>> received = consumeAll(broker, "tickets", sent.size());
            assertSameRecords(received, sent);
        }
    }

    @Test
    void keepsDataAcrossStopAndStartOnTheSamePorts() throws Exception {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onFreePorts(dataDir).withConfig("num.partitions", "3");
        try (broker) {
            broker.start();
            String bootstrap = broker.bootstrapServers();
            createTopic(broker, "tickets");
            List<ProducerRecord<String, String>> before = records("tickets", "before", 6, 4);
            try (KafkaProducer<String, String> producer = producer(broker, Duration.ofMillis(1500))) {
                for (ProducerRecord<String, String> record : before) {
                    producer.send(record).get(10, TimeUnit.SECONDS);
                }

                long t0 = System.nanoTime();
                broker.stop();
                log("stop took %d ms", millisSince(t0));
                assertThat(broker.isRunning()).isFalse();
                broker.stop(); // idempotent

                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("tickets", "k", "lost")).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            }
            try (KafkaProducer<String, String> fresh = producer(broker, Duration.ofMillis(1500))) {
                assertThatThrownBy(() -> fresh.send(new ProducerRecord<>("tickets", "k", "lost")).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            }

            long t1 = System.nanoTime();
            broker.start();
            log("restart took %d ms", millisSince(t1));
            assertThat(broker.isRunning()).isTrue();
            assertThat(broker.bootstrapServers()).isEqualTo(bootstrap);

            assertSameRecords(consumeAll(broker, "tickets", before.size()), before);

            List<ProducerRecord<String, String>> after = records("tickets", "after", 6, 4);
            try (KafkaProducer<String, String> producer = producer(broker, Duration.ofSeconds(10))) {
                for (ProducerRecord<String, String> record : after) {
                    producer.send(record).get(10, TimeUnit.SECONDS);
                }
            }
            List<ProducerRecord<String, String>> all = new ArrayList<>(before);
            all.addAll(after);
            assertSameRecords(consumeAll(broker, "tickets", all.size()), all);

            // withConfig(...) is still applied after the restart
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic("defaults", Optional.empty(), Optional.empty())))
                        .all().get(10, TimeUnit.SECONDS);
                assertThat(admin.describeTopics(List.of("defaults")).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get("defaults").partitions()).hasSize(3);
            }
        }
        assertThat(broker.isRunning()).isFalse();
    }

    @Test
    void producerThatLivedThroughTheOutageSendsAgainAfterRestart() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.onFreePorts(dataDir).start()) {
            createTopic(broker, "tickets");
            try (KafkaProducer<String, String> producer = producer(broker, Duration.ofMillis(1500))) {
                producer.send(new ProducerRecord<>("tickets", "k1", "one")).get(10, TimeUnit.SECONDS);
                broker.stop();
                assertThatThrownBy(() -> producer.send(new ProducerRecord<>("tickets", "k1", "lost")).get(10, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
                broker.start();
                producer.send(new ProducerRecord<>("tickets", "k1", "two")).get(10, TimeUnit.SECONDS);
            }
            List<ConsumerRecord<String, String>> got = consumeAll(broker, "tickets", 2);
            assertThat(got).extracting(ConsumerRecord::value).containsExactly("one", "two");
        }
    }

    @Test
    void aNewInstanceOnTheSameDataDirFindsTheClusterAndItsRecords() throws Exception {
        String clusterId;
        int port;
        List<ProducerRecord<String, String>> sent = records("tickets", "r", 4, 3);
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.onFreePorts(dataDir).start()) {
            port = first.brokerPort();
            createTopic(first, "tickets");
            clusterId = clusterId(first);
            try (KafkaProducer<String, String> producer = producer(first, Duration.ofSeconds(10))) {
                for (ProducerRecord<String, String> record : sent) {
                    producer.send(record).get(10, TimeUnit.SECONDS);
                }
            }
        }
        // as a developer re-running the local broker: same port and data dir, another controller port
        try (EmbeddedKafkaBroker second = EmbeddedKafkaBroker.onPort(port, dataDir).start()) {
            assertThat(clusterId(second)).isEqualTo(clusterId);
            assertSameRecords(consumeAll(second, "tickets", sent.size()), sent);
        }
    }

    @Test
    void failsClearlyWhenThePortIsTaken() throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.onFreePorts(dataDir.resolve("a")).start();
             EmbeddedKafkaBroker second = EmbeddedKafkaBroker.onPort(first.brokerPort(), dataDir.resolve("b"))) {
            assertThatThrownBy(second::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("failed to start")
                    .hasMessageContaining(first.bootstrapServers());
            assertThat(second.isRunning()).isFalse();
            assertThat(first.isRunning()).isTrue();
        }
    }

    // --- helpers -------------------------------------------------------------------------------

    private static void createTopic(EmbeddedKafkaBroker broker, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(10, TimeUnit.SECONDS);
        }
    }

    private static String clusterId(EmbeddedKafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            return admin.describeCluster().clusterId().get(10, TimeUnit.SECONDS);
        }
    }

    private static List<ProducerRecord<String, String>> records(String topic, String prefix, int keys, int perKey) {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int n = 0; n < perKey; n++) {
            for (int k = 0; k < keys; k++) {
                ProducerRecord<String, String> record =
                        new ProducerRecord<>(topic, "customer-" + k, prefix + "-" + k + "-" + n);
                record.headers().add("event-id", (prefix + "-" + k + "-" + n).getBytes(StandardCharsets.UTF_8));
                records.add(record);
            }
        }
        return records;
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafkaBroker broker, Duration timeout) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 5000));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    /** Reads the topic from the beginning until {@code expected} records arrived, with a deadline. */
    private static List<ConsumerRecord<String, String>> consumeAll(EmbeddedKafkaBroker broker, String topic, int expected) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (received.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            // one more short poll: nothing unexpected beyond what we produced
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        assertThat(received).as("records read back from %s", topic).hasSize(expected);
        return received;
    }

    /** Same keys, values and headers; same partition for the same key; per-key order kept. */
    private static void assertSameRecords(List<ConsumerRecord<String, String>> received,
                                          List<ProducerRecord<String, String>> sent) {
        assertThat(received).extracting(ConsumerRecord::value)
                .containsExactlyInAnyOrderElementsOf(sent.stream().map(ProducerRecord::value).toList());
        Map<String, Integer> partitionOfKey = new HashMap<>();
        Map<String, List<String>> valuesOfKey = new HashMap<>();
        for (ConsumerRecord<String, String> r : received) {
            assertThat(r.value()).as("value belongs to key %s", r.key())
                    .contains("-" + r.key().substring("customer-".length()) + "-");
            Header eventId = r.headers().lastHeader("event-id");
            assertThat(eventId).as("event-id header of %s", r.value()).isNotNull();
            assertThat(new String(eventId.value(), StandardCharsets.UTF_8)).isEqualTo(r.value());
            Integer partition = partitionOfKey.putIfAbsent(r.key(), r.partition());
            if (partition != null) {
                assertThat(r.partition()).as("partition of key %s", r.key()).isEqualTo(partition);
            }
            valuesOfKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
        Map<String, List<String>> sentValuesOfKey = new HashMap<>();
        for (ProducerRecord<String, String> s : sent) {
            sentValuesOfKey.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(s.value());
        }
        assertThat(valuesOfKey).as("per-key order").isEqualTo(sentValuesOfKey);
    }

    private static long millisSince(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private static void log(String format, Object... args) {
        System.out.println("[EmbeddedKafkaBrokerTest] " + String.format(format, args));
    }
}
