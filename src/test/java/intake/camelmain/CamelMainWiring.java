package intake.camelmain;

import intake.agent.TriageAgent;
import intake.agent.TriageRules;
import intake.channel.form.SupportFormReader;
import intake.consumer.AgentOutputs;
import intake.consumer.DecisionStep;
import intake.channel.meta.MetaHandshake;
import intake.channel.meta.MetaMessageReader;
import intake.channel.meta.MetaSignatureVerifier;
import intake.channel.twilio.TwilioMessageReader;
import intake.channel.twilio.TwilioSignatureVerifier;
import intake.channel.webhook.StandardWebhookVerifier;
import intake.channel.webhook.WebhookEventReader;
import intake.database.StatementTimeout;
import intake.edge.EdgeDedup;
import intake.edge.EdgeDeliveries;
import intake.idempotency.JdbcProcessedMessages;
import intake.ingress.AcceptedRequests;
import intake.ingress.HttpIngress;
import intake.ingress.HttpReplies;
import intake.ingress.TicketStatusLookup;
import intake.outbox.KafkaBypass;
import intake.outbox.Outbox;
import intake.outbox.OutboxRelay;
import intake.publish.KafkaRecords;
import intake.publish.PublishFailures;
import intake.publish.RecordHeaderFilter;
import intake.publish.RecordSizeLimit;
import intake.publish.TopicProvisioner;
import intake.publish.Topics;
import intake.ticket.StatusTokens;
import intake.ticket.TicketStore;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The beans the edge routes call, bound into Camel Main's registry from Intake's own properties.
 *
 * <p>This is the second wiring of the same beans: Spring Boot's is intake.config's {@code *Beans}
 * classes. Issue #14 asks for one declaration both runtimes use (YAML {@code beans:}); until then
 * this class is what proves that the routes and beans need Camel only, and it is kept as short as
 * the constructors allow.
 */
class CamelMainWiring implements CamelConfiguration {

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private final Properties properties;
    private final DataSource dataSource;

    CamelMainWiring(Properties properties, DataSource dataSource) {
        this.properties = properties;
        this.dataSource = dataSource;
    }

    @Override
    public void configure(CamelContext camel) {
        Registry registry = camel.getRegistry();
        Clock clock = Clock.systemUTC();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        StatementTimeout statementTimeout = StatementTimeout.of(duration("intake.database.statement-timeout"));
        registry.bind("metricsRegistry", meters);

        int partitions = Integer.parseInt(get("intake.topics.partitions"));
        short replicationFactor = Short.parseShort(get("intake.topics.replication-factor"));
        Topics topics = new Topics(get("intake.topics.tickets"), byPrefix("intake.topics.channels."), partitions, replicationFactor,
                get("intake.topics.decisions"), get("intake.topics.escalations"), get("intake.topics.agent-metrics"),
                get("intake.topics.dlq"));
        List<String> names = new ArrayList<>(List.of(topics.tickets(), topics.decisions(), topics.escalations(),
                topics.agentMetrics(), topics.dlq()));
        names.addAll(topics.channels().values());
        TopicProvisioner provisioner = new TopicProvisioner(get("camel.component.kafka.brokers"), names, partitions, replicationFactor,
                Long.parseLong(get("intake.topics.create-timeout-ms")));
        provisioner.tryEnsureTopics();
        // the producer's own max.request.size: application.yaml does not set one
        RecordSizeLimit sizeLimit = new RecordSizeLimit(1_048_576, provisioner);
        StatusTokens statusTokens = new StatusTokens(list("intake.tickets.status-secrets"));

        registry.bind("httpIngress", new HttpIngress(clock));
        registry.bind("httpReplies", new HttpReplies(statusTokens));
        registry.bind("acceptedRequests", new AcceptedRequests(meters, camel.getName()));
        registry.bind("supportForm", new SupportFormReader());
        registry.bind("webhookSignature", new StandardWebhookVerifier(webhookSecrets(),
                duration("intake.channels.webhooks.tolerance"), clock));
        registry.bind("webhookEvents", new WebhookEventReader());
        registry.bind("twilioSignature", new TwilioSignatureVerifier(get("intake.channels.twilio.auth-token"),
                get("intake.channels.twilio.secondary-auth-token"), get("intake.channels.twilio.public-url")));
        registry.bind("twilioMessages", new TwilioMessageReader());
        registry.bind("metaSignature", new MetaSignatureVerifier(get("intake.channels.meta.app-secret"),
                get("intake.channels.meta.previous-app-secret")));
        registry.bind("metaHandshake", new MetaHandshake(get("intake.channels.meta.verify-token")));
        registry.bind("metaMessages", new MetaMessageReader());
        registry.bind("edgeDedup", new EdgeDedup(new EdgeDeliveries(dataSource, clock,
                duration("intake.edge-dedup.claim-lease"), statementTimeout), duration("intake.edge-dedup.horizon"), clock));

        registry.bind("recordHeaderFilter", new RecordHeaderFilter());
        registry.bind("kafkaRecords", new KafkaRecords(topics));
        registry.bind("recordSizeLimit", sizeLimit);
        registry.bind("publishFailures", new PublishFailures());
        CircuitBreaker breaker = CircuitBreaker.of("kafka", CircuitBreakerConfig.custom()
                .recordException(PublishFailures::isTransient).build());
        Outbox outbox = new Outbox(dataSource, clock, "camel-main", duration("intake.bypass.relay-claim-lease"), statementTimeout);
        registry.bind("kafkaCircuitBreaker", breaker);
        registry.bind("outbox", outbox);
        registry.bind("kafkaBypass", new KafkaBypass(breaker, outbox));
        registry.bind("outboxRelay", new OutboxRelay(outbox, breaker, sizeLimit, () -> {
            Properties config = new Properties();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, get("camel.component.kafka.brokers"));
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        }, provisioner, 500, meters));
        registry.bind("processedMessages", new JdbcProcessedMessages(dataSource, get("intake.consumer.group-id"), clock));
        // bypass processing (tickets-process) decides a ticket as the consumer would
        TicketStore ticketStore = new TicketStore(dataSource, clock, statementTimeout);
        registry.bind("decisionStep", new DecisionStep(new TriageAgent(TriageRules.defaults(), ticketStore), ticketStore));
        registry.bind("agentOutputs", new AgentOutputs(topics));
        registry.bind("ticketStatus", new TicketStatusLookup(ticketStore, statusTokens));
    }

    private String get(String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("Intake's configuration has no " + key);
        }
        return value;
    }

    /** The simple form application.yaml uses (500ms, 30s, 5m, 7d); anything else fails, never reads as 0. */
    private Duration duration(String key) {
        Matcher simple = SIMPLE_DURATION.matcher(get(key));
        if (!simple.matches()) {
            throw new IllegalArgumentException(key + " is not a duration like 500ms, 30s, 5m, 2h or 7d: " + get(key));
        }
        long amount = Long.parseLong(simple.group(1));
        return switch (simple.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    private List<String> list(String key) {
        List<String> values = new ArrayList<>();
        for (int i = 0; properties.containsKey(key + "[" + i + "]"); i++) {
            values.add(properties.getProperty(key + "[" + i + "]"));
        }
        return values;
    }

    private Map<String, String> byPrefix(String prefix) {
        Map<String, String> values = new TreeMap<>();
        properties.stringPropertyNames().stream().filter(key -> key.startsWith(prefix))
                .forEach(key -> values.put(key.substring(prefix.length()), properties.getProperty(key)));
        return values;
    }

    /** intake.channels.webhooks.sources.&lt;source&gt;.secrets[i], the sources with the Standard Webhooks shape. */
    private Map<String, List<String>> webhookSecrets() {
        String prefix = "intake.channels.webhooks.sources.";
        Map<String, List<String>> secrets = new TreeMap<>();
        properties.stringPropertyNames().stream()
                .filter(key -> key.startsWith(prefix) && key.endsWith(".secrets[0]"))
                .map(key -> key.substring(prefix.length(), key.length() - ".secrets[0]".length()))
                .filter(source -> !properties.containsKey(prefix + source + ".fields.message"))
                .forEach(source -> secrets.put(source, list(prefix + source + ".secrets")));
        return secrets;
    }
}
