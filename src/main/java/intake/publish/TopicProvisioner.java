package intake.publish;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Intake writes to when they are missing: at start-up, or, when the broker
 * did not answer then (Intake starts in bypass mode), before the outbox relay first reaches it;
 * and remembers the largest record each of them takes (max.message.bytes).
 */
public class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private final String bootstrapServers;
    private final Collection<String> topics;
    private final int partitions;
    private final short replicationFactor;
    private final long timeoutMillis;

    public TopicProvisioner(String bootstrapServers, Collection<String> topics, int partitions, short replicationFactor,
                            long timeoutMillis) {
        this.bootstrapServers = bootstrapServers;
        this.topics = List.copyOf(topics);
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
        this.timeoutMillis = timeoutMillis;
    }

    private volatile boolean provisioned;
    private volatile Map<String, Integer> maxMessageBytes = Map.of();

    /** Creates what is missing, once; later calls do nothing. Throws when the broker does not answer. */
    public void ensureTopics() {
        if (!provisioned) {
            createMissingTopics();
        }
    }

    /** Like {@link #ensureTopics()}, but logs and answers false when the broker is unreachable or refuses the topics. */
    public boolean tryEnsureTopics() {
        try {
            ensureTopics();
            return true;
        } catch (IllegalStateException e) {
            LOG.warn("{}", e.getMessage());
            return false;
        }
    }

    /** The largest record the topic takes, as the broker said when the topics were ensured; empty before. */
    public OptionalInt maxMessageBytes(String topic) {
        Integer limit = maxMessageBytes.get(topic);
        return limit == null ? OptionalInt.empty() : OptionalInt.of(limit);
    }

    /** Asks the broker for its nodes: the relay's trial call when it has nothing to send. */
    public void checkBroker() {
        try (Admin admin = Admin.create(adminConfig())) {
            admin.describeCluster().nodes().get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (ExecutionException e) {
            throw unreachable(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while checking the Kafka broker", e);
        }
    }

    private Map<String, Object> adminConfig() {
        return Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMillis,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
    }

    private void createMissingTopics() {
        try (Admin admin = Admin.create(adminConfig())) {
            Set<String> existing = admin.listTopics().names().get(timeoutMillis, TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    missing.add(new NewTopic(topic, partitions, replicationFactor));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(timeoutMillis, TimeUnit.MILLISECONDS);
                LOG.info("Created Kafka topics {} with {} partitions", missing.stream().map(NewTopic::name).toList(), partitions);
            }
            readMaxMessageBytes(admin);
            provisioned = true;
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                provisioned = true; // another instance created it in the meantime
                return;
            }
            if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unreachable(e.getCause());
            }
            throw new IllegalStateException("Cannot create Kafka topics on " + bootstrapServers + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating Kafka topics", e);
        }
    }

    // A topic's limit is its own or the broker's default (message.max.bytes); without the right to
    // describe configs, only the producer's own limit is checked before a send.
    private void readMaxMessageBytes(Admin admin) throws InterruptedException {
        List<ConfigResource> resources = topics.stream().map(topic -> new ConfigResource(ConfigResource.Type.TOPIC, topic)).toList();
        try {
            Map<String, Integer> limits = new HashMap<>();
            admin.describeConfigs(resources).all().get(timeoutMillis, TimeUnit.MILLISECONDS).forEach((resource, config) -> {
                ConfigEntry entry = config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
                if (entry != null && entry.value() != null) {
                    limits.put(resource.name(), Integer.parseInt(entry.value()));
                }
            });
            maxMessageBytes = Map.copyOf(limits);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Cannot read max.message.bytes of the topics {}: {}", topics, e.toString());
        }
    }

    private IllegalStateException unreachable(Throwable cause) {
        return new IllegalStateException("Kafka broker at " + bootstrapServers + " did not answer within "
                + timeoutMillis + " ms; set KAFKA_BOOTSTRAP_SERVERS to a reachable broker", cause);
    }
}
