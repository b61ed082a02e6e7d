package intake.wiring;

import intake.agent.Agent;
import intake.agent.HttpAgent;
import intake.agent.TriageAgent;
import intake.agent.TriageRules;
import intake.channel.email.EmailIntake;
import intake.channel.email.EmailTicketReader;
import intake.channel.form.SupportFormReader;
import intake.channel.meta.MetaHandshake;
import intake.channel.meta.MetaMessageReader;
import intake.channel.meta.MetaSignatureVerifier;
import intake.channel.twilio.TwilioMessageReader;
import intake.channel.twilio.TwilioSignatureVerifier;
import intake.channel.webhook.StandardWebhookVerifier;
import intake.channel.webhook.WebhookEventReader;
import intake.channel.webhook.WebhookFields;
import intake.consumer.AgentOutputs;
import intake.consumer.ConsumerLag;
import intake.consumer.DecisionStep;
import intake.consumer.DedupPurge;
import intake.consumer.OffsetCommit;
import intake.consumer.PollBudget;
import intake.consumer.TicketBatch;
import intake.consumer.TicketDataFormat;
import intake.database.StatementTimeout;
import intake.edge.EdgeDedup;
import intake.edge.EdgeDeliveries;
import intake.forensics.DeadLetterForensics;
import intake.forensics.DeadLetterGuard;
import intake.forensics.RedeliveryCounter;
import intake.idempotency.AwaitedClaims;
import intake.idempotency.ClaimHeartbeat;
import intake.idempotency.ClaimTerms;
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
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.spi.Registry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Every bean the YAML routes call, declared once for both runtimes: Spring Boot
 * ({@code intake.config.RouteBeansConfiguration}) and plain Camel Main
 * ({@code intake.camelmain.IntakeCamelMain}) each construct this class from Intake's settings and
 * bind its beans into Camel's registry, under the names the YAML routes use. Health,
 * metrics endpoints and the operator endpoints around them are Spring Boot's.
 *
 * <p>Each bean is checked against its settings here, so a configuration that cannot work stops
 * either runtime at start-up with the property's name. A disabled channel has no bean: its routes
 * do not start ({@code precondition}) and so never look it up.
 *
 * <p>Settings come through Spring Boot's {@link Binder}, a plain library call with no application
 * context: both runtimes then read the same names, durations, lists and maps the same way
 * (docs/adr/0018).
 */
public final class RouteBeans {

    private static final Logger LOG = LoggerFactory.getLogger(RouteBeans.class);

    /** The route the dead-letter guard stops when the dead-letter topic keeps refusing writes. */
    static final String CONSUMER_ROUTE_ID = "tickets-consume";

    private final Binder settings;

    private final Clock clock = Clock.systemUTC();
    private final StatementTimeout statementTimeout;
    private final Topics topics;
    private final TopicProvisioner topicProvisioner;
    private final StatusTokens statusTokens;
    private final Map<String, Object> byName = new LinkedHashMap<>();

    private final CircuitBreaker kafkaCircuitBreaker;
    private final Outbox outbox;
    private final KafkaBypass kafkaBypass;
    private final RecordSizeLimit recordSizeLimit;
    private final TicketStore ticketStore;
    private final Agent agent;
    private final PollBudget pollBudget;
    private final StandardWebhookVerifier webhookSignature;
    private final TwilioSignatureVerifier twilioSignature;
    private final MetaSignatureVerifier metaSignature;
    private final DeadLetterGuard deadLetterGuard;

    public RouteBeans(IntakeProperties intake, Binder settings, DataSource dataSource, CamelContext camel, MeterRegistry meters) {
        this.settings = settings;
        this.statementTimeout = StatementTimeout.of(required("intake.database.statement-timeout", Duration.class));
        this.topics = intake.topics();
        this.topicProvisioner = createTopicProvisioner();
        this.statusTokens = new StatusTokens(settings.bind(StatusTokens.SETTING, Bindable.listOf(String.class)).orElse(List.of()));
        String instance = InstanceId.of(settings.bind("intake.instance-id", String.class).orElse(null));

        bind("httpIngress", new HttpIngress(clock));
        bind("httpReplies", new HttpReplies(statusTokens));
        bind("acceptedRequests", new AcceptedRequests(meters, required("camel.main.name", String.class)));
        bind("recordHeaderFilter", new RecordHeaderFilter());
        bind("kafkaRecords", new KafkaRecords(topics));

        bind("supportForm", new SupportFormReader());
        IntakeProperties.Webhooks webhooks = intake.channels().webhooks();
        this.webhookSignature = bind("webhookSignature",
                new StandardWebhookVerifier(webhooks.secretsBySource(), webhooks.tolerance(), clock));
        bind("webhookEvents", createWebhookEvents(webhooks));
        this.twilioSignature = bind("twilioSignature", createTwilioSignature(intake.channels().twilio()));
        bind("twilioMessages", new TwilioMessageReader());
        IntakeProperties.Meta meta = intake.channels().meta();
        this.metaSignature = bind("metaSignature",
                meta.enabled() ? new MetaSignatureVerifier(meta.appSecret(), meta.previousAppSecret()) : null);
        bind("metaHandshake", meta.enabled() ? new MetaHandshake(meta.verifyToken()) : null);
        bind("metaMessages", new MetaMessageReader());
        bind("emailIntake", createEmailIntake());
        bind("edgeDedup", new EdgeDedup(new EdgeDeliveries(dataSource, clock, required("intake.edge-dedup.claim-lease", Duration.class),
                statementTimeout), required("intake.edge-dedup.horizon", Duration.class), clock));

        this.recordSizeLimit = bind("recordSizeLimit", createRecordSizeLimit());
        bind("publishFailures", new PublishFailures());
        this.kafkaCircuitBreaker = bind("kafkaCircuitBreaker", createKafkaCircuitBreaker(intake.bypass(), meters));
        this.outbox = bind("outbox", new Outbox(dataSource, clock, instance, intake.bypass().relayClaimLease(), statementTimeout));
        this.kafkaBypass = bind("kafkaBypass", createKafkaBypass(meters));
        bind("outboxRelay", createOutboxRelay(camel, meters));

        // bypass processing (route tickets-process) decides a ticket as the consumer does, with the same claims
        this.ticketStore = new TicketStore(dataSource, clock, statementTimeout);
        this.agent = createAgent();
        this.pollBudget = createPollBudget();
        JdbcProcessedMessages processedMessages = bind("processedMessages", createProcessedMessages(dataSource, instance, camel));
        bind("decisionStep", new DecisionStep(agent, ticketStore));
        AgentOutputs agentOutputs = bind("agentOutputs", new AgentOutputs(topics));
        bind("ticketStatus", new TicketStatusLookup(ticketStore, statusTokens));

        // the processor role's routes: tickets-consume, -record, -outputs, -dead-letter, -dedup-purge
        String groupId = required("intake.consumer.group-id", String.class);
        TicketDataFormat ticketEvent = bind("ticketEvent", new TicketDataFormat());
        OffsetCommit offsetCommit = bind("offsetCommit", new OffsetCommit());
        // a ticket held by a live owner is waited for, never skipped
        bind("ticketClaims", new AwaitedClaims(processedMessages));
        bind("dedupPurge", new DedupPurge(processedMessages, required("intake.consumer.dedup.horizon", Duration.class), clock));
        // each poll's records as a batch; what a round leaves out goes through route tickets-record (docs/adr/0015)
        bind("ticketBatch", new TicketBatch(ticketEvent, processedMessages, ticketStore, agent, agentOutputs, offsetCommit,
                pollBudget, camel.createProducerTemplate(), meters));
        bind("deadLetterForensics", new DeadLetterForensics(groupId, instance, clock));
        bind("redeliveryCounter", new RedeliveryCounter());
        this.deadLetterGuard = bind("deadLetterGuard", createDeadLetterGuard(camel, meters));
        startConsumerLag(camel, meters, groupId);
    }

    /** Binds every bean into Camel's registry by the name the routes call it; a disabled channel's bean is not there. */
    public void bindTo(Registry registry) {
        byName.forEach(registry::bind);
    }

    /**
     * Creates the topics; without a broker, bypass mode at once instead of a failed start.
     *
     * @return whether a broker answered
     */
    public boolean provisionTopicsOrBypass() {
        if (topicProvisioner.tryEnsureTopics()) {
            return true;
        }
        kafkaBypass.startInBypass("no Kafka broker answered at " + required("camel.component.kafka.brokers", String.class)
                + "; the relay creates the topics when one does");
        return false;
    }

    public Clock clock() {
        return clock;
    }

    public Topics topics() {
        return topics;
    }

    public StatusTokens statusTokens() {
        return statusTokens;
    }

    public CircuitBreaker kafkaCircuitBreaker() {
        return kafkaCircuitBreaker;
    }

    public Outbox outbox() {
        return outbox;
    }

    public KafkaBypass kafkaBypass() {
        return kafkaBypass;
    }

    public TicketStore ticketStore() {
        return ticketStore;
    }

    public StandardWebhookVerifier webhookSignature() {
        return webhookSignature;
    }

    /** {@code null} while the Twilio channel is disabled. */
    public TwilioSignatureVerifier twilioSignature() {
        return twilioSignature;
    }

    /** {@code null} while the Meta channel is disabled. */
    public MetaSignatureVerifier metaSignature() {
        return metaSignature;
    }

    public DeadLetterGuard deadLetterGuard() {
        return deadLetterGuard;
    }

    private <T> T bind(String name, T bean) {
        if (bean != null) {
            byName.put(name, bean);
        }
        return bean;
    }

    private <T> T required(String key, Class<T> type) {
        return settings.bind(key, type).orElseThrow(() -> new IllegalStateException(key + " is not set"));
    }

    /** Stops route tickets-consume when the dead-letter topic keeps refusing writes. */
    private DeadLetterGuard createDeadLetterGuard(CamelContext camel, MeterRegistry meters) {
        DeadLetterGuard guard = new DeadLetterGuard(camel, CONSUMER_ROUTE_ID,
                required("intake.consumer.dlq.max-consecutive-failures", Integer.class));
        Gauge.builder("kafka.consumer.stopped", guard, g -> g.consumerStopped() ? 1 : 0)
                .description("1 while the ticket consumer is stopped because the dead-letter topic refuses writes")
                .register(meters);
        Gauge.builder("kafka.dlq.write.failures", guard, DeadLetterGuard::consecutiveFailures)
                .description("Dead-letter writes that failed in a row")
                .register(meters);
        return guard;
    }

    /** The group's lag on the tickets topic, for the gauge the lag alert and dashboard read; a Camel service, started and stopped with the context. */
    private void startConsumerLag(CamelContext camel, MeterRegistry meters, String groupId) {
        ConsumerLag lag = new ConsumerLag(required("camel.component.kafka.brokers", String.class), groupId, topics.tickets(),
                Duration.ofMillis(required("intake.consumer.lag.interval-ms", Long.class)));
        Gauge.builder("intake.consumer.lag.records", lag, ConsumerLag::records)
                .description("Records of the tickets topic the consumer group has not committed yet (NaN while the broker does not answer)")
                .register(meters);
        addService(camel, lag);
    }

    private static void addService(CamelContext camel, Object service) {
        try {
            camel.addService(service, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("Cannot add " + service.getClass().getSimpleName() + " to Camel", e);
        }
    }

    private TopicProvisioner createTopicProvisioner() {
        List<String> names = new ArrayList<>();
        names.add(topics.tickets());
        List.of(SupportFormReader.CHANNEL, WebhookEventReader.CHANNEL, TwilioMessageReader.CHANNEL, EmailIntake.CHANNEL).stream()
                .map(topics::inbound).forEach(names::add);
        names.addAll(List.of(topics.decisions(), topics.escalations(), topics.agentMetrics(), topics.dlq()));
        return new TopicProvisioner(required("camel.component.kafka.brokers", String.class), names, topics.partitions(),
                (short) topics.replicationFactor(), required("intake.topics.create-timeout-ms", Long.class));
    }

    /** A source that declares where its fields are is checked here: a path that cannot work stops start-up, naming the property. */
    private static WebhookEventReader createWebhookEvents(IntakeProperties.Webhooks webhooks) {
        Map<String, WebhookFields> shapes = new TreeMap<>();
        webhooks.fieldsBySource().forEach((source, fields) ->
                shapes.put(source, WebhookFields.compile("intake.channels.webhooks.sources." + source + ".fields", fields.byName())));
        return new WebhookEventReader(shapes);
    }

    private static TwilioSignatureVerifier createTwilioSignature(IntakeProperties.Twilio twilio) {
        if (!twilio.enabled()) {
            return null;
        }
        TwilioSignatureVerifier verifier = new TwilioSignatureVerifier(twilio.authToken(), twilio.secondaryAuthToken(), twilio.publicUrl());
        if (twilio.publicUrl() == null || twilio.publicUrl().isBlank()) {
            throw new IllegalArgumentException("intake.channels.twilio.public-url must be set when the Twilio channel is enabled:"
                    + " the URL Twilio calls and signs, e.g. https://intake.example.com (INTAKE_CHANNELS_TWILIO_PUBLIC_URL)");
        }
        return verifier;
    }

    private EmailIntake createEmailIntake() {
        if (!required("intake.channels.email.enabled", Boolean.class)) {
            return null;
        }
        long maxMessageBytes = required("intake.channels.email.max-message-bytes", Long.class);
        // each mail is one record, and one the producer refuses would fail on every poll
        RecordSizeLimit.requireBodyFits("intake.channels.email.max-message-bytes", maxMessageBytes, maxRequestSize());
        return new EmailIntake(new EmailTicketReader(maxMessageBytes, required("intake.channels.email.max-text-chars", Integer.class)),
                required("intake.channels.email.username", String.class), clock);
    }

    /** Start-up stops when an HTTP channel's body limit lets in a raw payload the producer could never send. */
    private RecordSizeLimit createRecordSizeLimit() {
        for (String channel : List.of("forms", "webhooks", "twilio", "meta")) {
            String key = "intake.channels." + channel + ".max-body-bytes";
            RecordSizeLimit.requireBodyFits(key, required(key, Long.class), maxRequestSize());
        }
        return new RecordSizeLimit(maxRequestSize(), topicProvisioner);
    }

    /** The producer's own default when the property is not set. */
    private long maxRequestSize() {
        return settings.bind("camel.component.kafka.max-request-size", Long.class).orElse(1_048_576L);
    }

    /** The breaker the intake-publish and outbox-relay routes share (resilience4jConfiguration.circuitBreaker). */
    private CircuitBreaker createKafkaCircuitBreaker(IntakeProperties.Bypass bypass, MeterRegistry meters) {
        long maxBlockMs = required("camel.component.kafka.max-block-ms", Long.class);
        long deliveryTimeoutMs = required("camel.component.kafka.delivery-timeout-ms", Long.class);
        // the breaker has no time limit of its own: the producer's timeouts keep a request within the bound
        if (maxBlockMs + deliveryTimeoutMs >= bypass.requestBoundMs()) {
            throw new IllegalStateException("camel.component.kafka.max-block-ms (" + maxBlockMs + ") + delivery-timeout-ms ("
                    + deliveryTimeoutMs + ") must stay below intake.bypass.request-bound-ms (" + bypass.requestBoundMs()
                    + "): the producer has to give up on a dead broker in time for the event to reach the outbox within the bound");
        }
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(bypass.slidingWindowSize())
                .minimumNumberOfCalls(bypass.minimumNumberOfCalls())
                .failureRateThreshold(bypass.failureRateThreshold())
                .slowCallDurationThreshold(bypass.slowCallDuration())
                .slowCallRateThreshold(bypass.slowCallRateThreshold())
                .waitDurationInOpenState(bypass.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(bypass.callsInHalfOpenState())
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                // a record the broker refuses for good says nothing about the broker's health
                .recordException(PublishFailures::isTransient)
                .build();
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        return registry.circuitBreaker("kafka");
    }

    private KafkaBypass createKafkaBypass(MeterRegistry meters) {
        KafkaBypass bypass = new KafkaBypass(kafkaCircuitBreaker, outbox);
        Gauge.builder("kafka.bypass.active", bypass, b -> b.active() ? 1 : 0)
                .description("1 while Kafka is bypassed: breaker not closed, or records waiting in the outbox")
                .register(meters);
        Gauge.builder("intake.outbox.depth", outbox, Outbox::depth)
                .description("Records waiting in the outbox for the relay (quarantined ones are not waiting)")
                .register(meters);
        Gauge.builder("intake.outbox.quarantine.depth", outbox, Outbox::quarantined)
                .description("Outbox records the broker refused for good, waiting in outbox_quarantine for an operator")
                .register(meters);
        return bypass;
    }

    /** The relay's own producer, configured as camel.component.kafka.* configures the routes' one. */
    private OutboxRelay createOutboxRelay(CamelContext camel, MeterRegistry meters) {
        return new OutboxRelay(outbox, kafkaCircuitBreaker, recordSizeLimit, () -> {
            KafkaConfiguration kafka = camel.getComponent("kafka", KafkaComponent.class).getConfiguration();
            Properties config = kafka.createProducerProperties();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.getBrokers());
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "intake-outbox-relay");
            // No caller waits for the relay: its sends need not give up within the request bound,
            // and a batch sent on busy cores is not failed for being a few hundred ms late.
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
            return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        }, topicProvisioner, required("intake.bypass.relay-batch-size", Integer.class), meters);
    }

    /** The agent named by intake.agent.type: the built-in triage rules, or an HTTP agent service. */
    private Agent createAgent() {
        String type = settings.bind("intake.agent.type", String.class).orElse("triage");
        return switch (type) {
            case "triage" -> new TriageAgent(settings.bind("intake.agent.triage", TriageRules.class).orElseGet(TriageRules::defaults),
                    ticketStore);
            case "http" -> new HttpAgent(
                    URI.create(settings.bind("intake.agent.http.url", String.class).orElseThrow(() ->
                            new IllegalArgumentException("intake.agent.http.url must be set when intake.agent.type is http"))),
                    settings.bind("intake.agent.http.timeout", Duration.class).orElse(Duration.ofSeconds(5)),
                    settings.bind("intake.agent.http.bearer-token", String.class).orElse(null));
            default -> throw new IllegalArgumentException("intake.agent.type must be triage or http, not '" + type + "'");
        };
    }

    /**
     * Start-up refuses a configuration in which one poll's records can outlast Kafka's
     * max.poll.interval.ms when every attempt fails as slowly as it can (docs/adr/0010).
     */
    private PollBudget createPollBudget() {
        PollBudget.Redelivery redelivery = new PollBudget.Redelivery(
                required("intake.consumer.redelivery.maximum-redeliveries", Integer.class),
                Duration.ofMillis(required("intake.consumer.redelivery.initial-delay-ms", Long.class)),
                required("intake.consumer.redelivery.multiplier", Double.class),
                Duration.ofMillis(required("intake.consumer.redelivery.maximum-delay-ms", Long.class)));
        PollBudget budget = new PollBudget(
                required("intake.consumer.max-poll-records", Integer.class),
                redelivery,
                agent.longestCall(),
                // Hikari's own default when the property is not set, then the statement itself
                Duration.ofMillis(settings.bind("spring.datasource.hikari.connection-timeout", Long.class).orElse(30_000L))
                        .plus(statementTimeout.duration()),
                Duration.ofMillis(required("camel.component.kafka.max-block-ms", Long.class)
                        + required("camel.component.kafka.delivery-timeout-ms", Long.class)),
                Duration.ofMillis(required("intake.consumer.outputs.max-block-ms", Long.class)
                        + required("intake.consumer.outputs.delivery-timeout-ms", Long.class)),
                required("intake.consumer.dedup.claim-lease", Duration.class),
                Duration.ofMillis(required("intake.consumer.max-poll-interval-ms", Long.class)));
        budget.requireWithin();
        LOG.info("Consumer poll budget: {}, max.poll.interval.ms {} ms", budget, budget.maxPollInterval().toMillis());
        return budget;
    }

    /**
     * Claims owned by this process, renewed while it lives and held at most one record's worst
     * case; the lease must outlast a renewal that waits as long as a database step can (docs/adr/0012).
     */
    private JdbcProcessedMessages createProcessedMessages(DataSource dataSource, String instance, CamelContext camel) {
        Duration lease = pollBudget.claimWait();
        if (lease.multipliedBy(2).dividedBy(3).compareTo(pollBudget.databaseStep()) <= 0) {
            throw new IllegalStateException("intake.consumer.dedup.claim-lease (" + lease + ") must be longer than 1.5 x "
                    + pollBudget.databaseStep() + " (spring.datasource.hikari.connection-timeout + intake.database.statement-timeout):"
                    + " claims are renewed every third of their lease, and a renewal may wait that long");
        }
        ClaimTerms terms = new ClaimTerms(ClaimTerms.ownerOf(instance), lease, pollBudget.longestClaim());
        JdbcProcessedMessages claims = new JdbcProcessedMessages(dataSource, required("intake.consumer.group-id", String.class), clock,
                terms, statementTimeout);
        // a Camel service, so it stops only after the routes that take claims
        addService(camel, new ClaimHeartbeat(claims));
        return claims;
    }
}
