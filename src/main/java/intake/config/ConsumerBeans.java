package intake.config;

import intake.agent.Agent;
import intake.agent.HttpAgent;
import intake.agent.TriageAgent;
import intake.agent.TriageRules;
import intake.consumer.AgentOutputs;
import intake.consumer.ConsumerLag;
import intake.consumer.DecisionStep;
import intake.consumer.DedupPurge;
import intake.consumer.OffsetCommit;
import intake.consumer.PollBudget;
import intake.consumer.TicketBatch;
import intake.consumer.TicketDataFormat;
import intake.database.StatementTimeout;
import intake.forensics.DeadLetterForensics;
import intake.forensics.DeadLetterGuard;
import intake.forensics.DeadLetterReplay;
import intake.forensics.DeadLetterReplays;
import intake.forensics.RedeliveryCounter;
import intake.idempotency.AwaitedClaims;
import intake.idempotency.ClaimHeartbeat;
import intake.idempotency.ClaimTerms;
import intake.idempotency.JdbcProcessedMessages;
import intake.ingress.TicketStatusLookup;
import intake.ticket.StatusTokens;
import intake.ticket.TicketStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Wires the consumer side: claims and statement timeouts, the agent, the ticket store and the dead-letter channel. */
@Configuration(proxyBeanMethods = false)
public class ConsumerBeans {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerBeans.class);

    /** The route the dead-letter guard stops when the dead-letter topic keeps refusing writes. */
    static final String CONSUMER_ROUTE_ID = "tickets-consume";

    /** The bound on each request and consumer statement (docs/adr/0012). */
    @Bean
    StatementTimeout statementTimeout(@Value("${intake.database.statement-timeout}") Duration timeout) {
        return StatementTimeout.of(timeout);
    }

    /**
     * Claims owned by this process, renewed while it lives and held at most one record's worst
     * case; the lease must outlast a renewal that waits as long as a database step can (docs/adr/0012).
     */
    @Bean
    JdbcProcessedMessages processedMessages(DataSource dataSource, Clock clock, StatementTimeout statementTimeout,
                                            PollBudget pollBudget, @Value("${intake.consumer.group-id}") String groupId,
                                            @Value("${intake.instance-id:}") String instanceId) {
        Duration lease = pollBudget.claimWait();
        if (lease.multipliedBy(2).dividedBy(3).compareTo(pollBudget.databaseStep()) <= 0) {
            throw new IllegalStateException("intake.consumer.dedup.claim-lease (" + lease + ") must be longer than 1.5 x "
                    + pollBudget.databaseStep() + " (spring.datasource.hikari.connection-timeout + intake.database.statement-timeout):"
                    + " claims are renewed every third of their lease, and a renewal may wait that long");
        }
        ClaimTerms terms = new ClaimTerms(ClaimTerms.ownerOf(InstanceId.of(instanceId)), lease, pollBudget.longestClaim());
        return new JdbcProcessedMessages(dataSource, groupId, clock, terms, statementTimeout);
    }

    /** The consumer's claims: a ticket held by a live owner is waited for, never skipped. */
    @Bean
    AwaitedClaims ticketClaims(JdbcProcessedMessages processedMessages) {
        return new AwaitedClaims(processedMessages);
    }

    /** Renews this process's claims; a Camel service, so it stops only after the routes. */
    @Bean
    ClaimHeartbeat claimHeartbeat(JdbcProcessedMessages processedMessages, CamelContext camelContext) throws Exception {
        ClaimHeartbeat heartbeat = new ClaimHeartbeat(processedMessages);
        camelContext.addService(heartbeat, true, true);
        return heartbeat;
    }

    @Bean
    DedupPurge dedupPurge(JdbcProcessedMessages processedMessages, Clock clock,
                          @Value("${intake.consumer.dedup.horizon}") Duration horizon) {
        return new DedupPurge(processedMessages, horizon, clock);
    }

    @Bean
    TicketStore ticketStore(DataSource dataSource, Clock clock, StatementTimeout statementTimeout) {
        return new TicketStore(dataSource, clock, statementTimeout);
    }

    @Bean
    TicketStatusLookup ticketStatus(TicketStore ticketStore, StatusTokens statusTokens) {
        return new TicketStatusLookup(ticketStore, statusTokens);
    }

    /** The tickets topic's data format: route tickets-record's {@code unmarshal: custom: ticketEvent}, and the batches. */
    @Bean
    TicketDataFormat ticketEvent() {
        return new TicketDataFormat();
    }

    /** The agent named by intake.agent.type: the built-in triage rules, or an HTTP agent service. */
    @Bean
    Agent agent(Environment environment, TicketStore ticketStore) {
        Binder binder = Binder.get(environment);
        String type = binder.bind("intake.agent.type", String.class).orElse("triage");
        return switch (type) {
            case "triage" -> new TriageAgent(binder.bind("intake.agent.triage", TriageRules.class)
                    .orElseGet(TriageRules::defaults), ticketStore);
            case "http" -> new HttpAgent(
                    URI.create(binder.bind("intake.agent.http.url", String.class).orElseThrow(() ->
                            new IllegalArgumentException("intake.agent.http.url must be set when intake.agent.type is http"))),
                    binder.bind("intake.agent.http.timeout", Duration.class).orElse(Duration.ofSeconds(5)),
                    binder.bind("intake.agent.http.bearer-token", String.class).orElse(null));
            default -> throw new IllegalArgumentException("intake.agent.type must be triage or http, not '" + type + "'");
        };
    }

    /**
     * Start-up refuses a configuration in which one poll's records can outlast Kafka's
     * max.poll.interval.ms when every attempt fails as slowly as it can (docs/adr/0010).
     */
    @Bean
    PollBudget pollBudget(Agent agent, Environment environment, StatementTimeout statementTimeout) {
        Binder binder = Binder.get(environment);
        PollBudget.Redelivery redelivery = new PollBudget.Redelivery(
                binder.bind("intake.consumer.redelivery.maximum-redeliveries", Integer.class).get(),
                Duration.ofMillis(binder.bind("intake.consumer.redelivery.initial-delay-ms", Long.class).get()),
                binder.bind("intake.consumer.redelivery.multiplier", Double.class).get(),
                Duration.ofMillis(binder.bind("intake.consumer.redelivery.maximum-delay-ms", Long.class).get()));
        PollBudget budget = new PollBudget(
                binder.bind("intake.consumer.max-poll-records", Integer.class).get(),
                redelivery,
                agent.longestCall(),
                // Hikari's own default when the property is not set, then the statement itself
                Duration.ofMillis(binder.bind("spring.datasource.hikari.connection-timeout", Long.class).orElse(30_000L))
                        .plus(statementTimeout.duration()),
                Duration.ofMillis(binder.bind("camel.component.kafka.max-block-ms", Long.class).get()
                        + binder.bind("camel.component.kafka.delivery-timeout-ms", Long.class).get()),
                Duration.ofMillis(binder.bind("intake.consumer.outputs.max-block-ms", Long.class).get()
                        + binder.bind("intake.consumer.outputs.delivery-timeout-ms", Long.class).get()),
                binder.bind("intake.consumer.dedup.claim-lease", Duration.class).get(),
                Duration.ofMillis(binder.bind("intake.consumer.max-poll-interval-ms", Long.class).get()));
        budget.requireWithin();
        LOG.info("Consumer poll budget: {}, max.poll.interval.ms {} ms", budget, budget.maxPollInterval().toMillis());
        return budget;
    }

    @Bean
    DecisionStep decisionStep(Agent agent, TicketStore ticketStore) {
        return new DecisionStep(agent, ticketStore);
    }

    @Bean
    AgentOutputs agentOutputs(IntakeProperties intake) {
        return new AgentOutputs(intake.topics());
    }

    /** Works each poll's records as a batch; what a round leaves out goes through route tickets-record (docs/adr/0015). */
    @Bean
    TicketBatch ticketBatch(TicketDataFormat ticketEvent, JdbcProcessedMessages processedMessages, TicketStore ticketStore,
                            Agent agent, AgentOutputs agentOutputs, OffsetCommit offsetCommit, PollBudget pollBudget,
                            CamelContext camelContext, MeterRegistry registry) {
        return new TicketBatch(ticketEvent, processedMessages, ticketStore, agent, agentOutputs, offsetCommit, pollBudget,
                camelContext.createProducerTemplate(), registry);
    }

    @Bean
    OffsetCommit offsetCommit() {
        return new OffsetCommit();
    }

    @Bean
    DeadLetterForensics deadLetterForensics(@Value("${intake.consumer.group-id}") String groupId,
                                            @Value("${intake.instance-id:}") String instanceId, Clock clock) {
        return new DeadLetterForensics(groupId, InstanceId.of(instanceId), clock);
    }

    @Bean
    RedeliveryCounter redeliveryCounter() {
        return new RedeliveryCounter();
    }

    @Bean
    DeadLetterGuard deadLetterGuard(CamelContext camelContext, MeterRegistry registry,
                                    @Value("${intake.consumer.dlq.max-consecutive-failures}") int maxFailures) {
        DeadLetterGuard guard = new DeadLetterGuard(camelContext, CONSUMER_ROUTE_ID, maxFailures);
        Gauge.builder("kafka.consumer.stopped", guard, g -> g.consumerStopped() ? 1 : 0)
                .description("1 while the ticket consumer is stopped because the dead-letter topic refuses writes")
                .register(registry);
        Gauge.builder("kafka.dlq.write.failures", guard, DeadLetterGuard::consecutiveFailures)
                .description("Dead-letter writes that failed in a row")
                .register(registry);
        return guard;
    }

    /** The group's lag on the tickets topic, for the gauge the lag alert and dashboard read; a Camel service, started and stopped with the context. */
    @Bean
    ConsumerLag consumerLag(CamelContext camelContext, MeterRegistry registry, IntakeProperties intake,
                            @Value("${camel.component.kafka.brokers}") String brokers,
                            @Value("${intake.consumer.group-id}") String groupId,
                            @Value("${intake.consumer.lag.interval-ms}") long intervalMs) throws Exception {
        ConsumerLag lag = new ConsumerLag(brokers, groupId, intake.topics().tickets(), Duration.ofMillis(intervalMs));
        Gauge.builder("intake.consumer.lag.records", lag, ConsumerLag::records)
                .description("Records of the tickets topic the consumer group has not committed yet (NaN while the broker does not answer)")
                .register(registry);
        camelContext.addService(lag, true, true);
        return lag;
    }

    /**
     * DOWN once the dead-letter guard stopped the consumer: tickets are waiting and an operator must
     * act. Without the processor role (intake.roles) there is no consumer to stop: UP, running false.
     */
    @Bean
    HealthIndicator ticketConsumerHealthIndicator(DeadLetterGuard guard, @Value("${intake.roles.processor:true}") boolean processor) {
        if (!processor) {
            return () -> Health.up().withDetail("running", false).build();
        }
        return () -> guard.consumerStopped()
                ? Health.down().withDetail("reason", guard.stoppedBecause()).build()
                : Health.up().withDetail("deadLetterWriteFailuresInARow", guard.consecutiveFailures()).build();
    }

    @Bean
    TicketConsumerEndpoint ticketConsumerEndpoint(DeadLetterGuard guard) {
        return new TicketConsumerEndpoint(guard);
    }

    @Bean
    DeadLetterReplays deadLetterReplays(@Value("${camel.component.kafka.brokers}") String brokers, IntakeProperties intake,
                                        @Value("${intake.consumer.dlq.replay-max-records:1000}") int maxRecords, Clock clock) {
        return new DeadLetterReplays(new DeadLetterReplay(brokers, intake.topics().dlq(), maxRecords), clock);
    }

    @Bean
    DeadLetterReplayEndpoint deadLetterReplayEndpoint(DeadLetterReplays replays,
                                                      @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
        return new DeadLetterReplayEndpoint(replays, basePath);
    }

    @Bean
    TicketsEndpoint ticketsEndpoint(TicketStore ticketStore) {
        return new TicketsEndpoint(ticketStore);
    }
}
