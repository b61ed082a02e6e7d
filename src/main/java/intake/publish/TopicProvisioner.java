package intake.publish;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics Intake writes to when they are missing, before any route starts. A broker
 * that cannot be reached stops start-up with a message naming it: without it nothing can be
 * acknowledged.
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

    public void createMissingTopics() {
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMillis,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMillis);
        try (Admin admin = Admin.create(config)) {
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
        } catch (TimeoutException e) {
            throw unreachable(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return; // another instance created it in the meantime
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

    private IllegalStateException unreachable(Throwable cause) {
        return new IllegalStateException("Kafka broker at " + bootstrapServers + " did not answer within "
                + timeoutMillis + " ms; set KAFKA_BOOTSTRAP_SERVERS to a reachable broker", cause);
    }
}
