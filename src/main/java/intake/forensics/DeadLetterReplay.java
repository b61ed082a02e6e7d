package intake.forensics;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Re-publishes dead-letter records to the topic they came from, with their original key, value
 * and headers and without the forensics headers. Safe to run more than once: the idempotent
 * consumer skips a ticket that was processed in the meantime.
 */
public class DeadLetterReplay {

    private static final Duration POLL = Duration.ofMillis(500);

    private final String bootstrapServers;
    private final String deadLetterTopic;
    private final int maxRecords;

    public DeadLetterReplay(String bootstrapServers, String deadLetterTopic, int maxRecords) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("intake.consumer.dlq.replay-max-records must be at least 1, not " + maxRecords);
        }
        this.bootstrapServers = bootstrapServers;
        this.deadLetterTopic = deadLetterTopic;
        this.maxRecords = maxRecords;
    }

    /**
     * What a replay did: records re-published, per original topic, and those skipped. When it
     * stopped at maxRecords, nextOffsets says where each partition with records left continues.
     */
    public record Result(int replayed, Map<String, Integer> byTopic, List<String> skipped, int maxRecords,
                         boolean limitReached, Map<Integer, Long> nextOffsets) {
    }

    /**
     * Replays the records of one partition (or all when null, one partition after the other)
     * whose offsets lie in [fromOffset, toOffset] (open ends when null), reading at most
     * maxRecords of them. Returns once the broker acknowledged every one.
     */
    public Result replay(Integer partition, Long fromOffset, Long toOffset) {
        Map<String, Integer> byTopic = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new TreeMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); KafkaProducer<byte[], byte[]> producer = producer()) {
            List<TopicPartition> partitions = consumer.partitionsFor(deadLetterTopic, Duration.ofSeconds(10)).stream()
                    .filter(info -> partition == null || info.partition() == partition)
                    .map(info -> new TopicPartition(deadLetterTopic, info.partition()))
                    .sorted(Comparator.comparingInt(TopicPartition::partition))
                    .toList();
            if (partitions.isEmpty()) {
                throw new IllegalArgumentException("Topic " + deadLetterTopic + " has no partition " + partition);
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            int read = 0;
            for (TopicPartition tp : partitions) {
                consumer.assign(List.of(tp));
                if (fromOffset == null) {
                    consumer.seekToBeginning(List.of(tp));
                } else {
                    consumer.seek(tp, fromOffset);
                }
                long next = consumer.position(tp);
                while (next < end.get(tp) && (toOffset == null || next <= toOffset)) {
                    if (read >= maxRecords) {
                        nextOffsets.put(tp.partition(), next);
                        break;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    // past the batch, and past offsets without a record (transaction markers)
                    next = consumer.position(tp);
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        if (read >= maxRecords || (toOffset != null && record.offset() > toOffset)) {
                            next = record.offset();
                            break;
                        }
                        read++;
                        String target = header(record, DeadLetterForensics.PREFIX + "original_topic");
                        if (target == null || target.isBlank()) {
                            skipped.add(record.partition() + "@" + record.offset() + ": no " + DeadLetterForensics.PREFIX + "original_topic");
                            continue;
                        }
                        sent.add(producer.send(new ProducerRecord<>(target, null, record.key(), record.value(), withoutForensics(record))));
                        byTopic.merge(target, 1, Integer::sum);
                    }
                }
            }
            producer.flush();
            for (Future<RecordMetadata> ack : sent) {
                ack.get();
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("The broker did not acknowledge a replayed record: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while replaying", e);
        }
        return new Result(sent.size(), byTopic, skipped, maxRecords, !nextOffsets.isEmpty(), nextOffsets);
    }

    private static RecordHeaders withoutForensics(ConsumerRecord<byte[], byte[]> record) {
        RecordHeaders headers = new RecordHeaders();
        for (Header header : record.headers()) {
            if (!header.key().startsWith(DeadLetterForensics.PREFIX)) {
                headers.add(header);
            }
        }
        return headers;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "intake-dlq-replay-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new ByteArraySerializer(), new ByteArraySerializer());
    }
}
