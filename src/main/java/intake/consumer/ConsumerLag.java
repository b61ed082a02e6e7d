package intake.consumer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group's lag on the tickets topic, measured every few seconds with a Kafka Admin
 * client: the sum over its partitions of the end offset minus the committed one (the earliest
 * offset where the group has committed nothing, since it starts there). Measured on a thread of
 * its own so a scrape never waits for the broker; NaN while the broker does not answer, so an
 * alert on it judges only real measurements.
 */
public class ConsumerLag extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);

    private final String bootstrapServers;
    private final String groupId;
    private final String topic;
    private final Duration interval;
    private volatile double records = Double.NaN;
    private volatile boolean failing;
    private Admin admin;
    private ScheduledExecutorService timer;

    public ConsumerLag(String bootstrapServers, String groupId, String topic, Duration interval) {
        this.bootstrapServers = bootstrapServers;
        this.groupId = groupId;
        this.topic = topic;
        this.interval = interval;
    }

    /** The last measurement: records of the topic the group has not committed yet, NaN when unknown. */
    public double records() {
        return records;
    }

    /** One measurement; a failure is logged once per outage and leaves NaN until the next success. */
    public void measure() {
        try {
            records = lag();
            if (failing) {
                LOG.info("Consumer lag of group {} measured again: {} records", groupId, (long) records);
                failing = false;
            }
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            records = Double.NaN;
            if (!failing) {
                LOG.warn("Cannot measure the consumer lag of group {} on {}: {}", groupId, topic, e.toString());
                failing = true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long lag() throws InterruptedException, ExecutionException, TimeoutException {
        long timeout = interval.toMillis();
        var partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(timeout, TimeUnit.MILLISECONDS)
                .get(topic).partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(timeout, TimeUnit.MILLISECONDS);
        Map<TopicPartition, Long> end = offsets(partitions, OffsetSpec.latest(), timeout);
        Map<TopicPartition, Long> earliest = offsets(partitions, OffsetSpec.earliest(), timeout);
        long lag = 0;
        for (TopicPartition partition : partitions) {
            OffsetAndMetadata offset = committed.get(partition);
            long from = offset != null ? offset.offset() : earliest.get(partition);
            lag += Math.max(0, end.get(partition) - from);
        }
        return lag;
    }

    private Map<TopicPartition, Long> offsets(List<TopicPartition> partitions, OffsetSpec spec, long timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        return admin.listOffsets(partitions.stream().collect(Collectors.toMap(p -> p, p -> spec))).all()
                .get(timeout, TimeUnit.MILLISECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    @Override
    protected void doStart() {
        int timeout = (int) interval.toMillis();
        admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.CLIENT_ID_CONFIG, "intake-consumer-lag",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeout,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeout));
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "consumer-lag");
            thread.setDaemon(true);
            return thread;
        });
        // with a fixed delay: a measurement that waits for a dead broker does not pile up the next ones
        timer.scheduleWithFixedDelay(this::measure, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(1));
        }
    }
}
