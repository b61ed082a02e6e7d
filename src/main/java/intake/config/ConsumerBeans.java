package intake.config;

import intake.consumer.ConsumerLag;
import intake.consumer.DedupPurge;
import intake.consumer.OffsetCommit;
import intake.consumer.TicketBatch;
import intake.consumer.TicketDataFormat;
import intake.forensics.DeadLetterForensics;
import intake.forensics.DeadLetterGuard;
import intake.forensics.DeadLetterReplay;
import intake.forensics.DeadLetterReplays;
import intake.forensics.RedeliveryCounter;
import intake.idempotency.AwaitedClaims;
import intake.wiring.InstanceId;
import intake.wiring.RouteBeans;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Wires the processor role's own beans: the batch, the claims it waits for, the purge, the
 * dead-letter channel, lag and their health and endpoints. What the edge shares with it (claims,
 * agent, ticket store, poll budget) is {@link RouteBeans}.
 */
@Configuration(proxyBeanMethods = false)
public class ConsumerBeans {

    /** The route the dead-letter guard stops when the dead-letter topic keeps refusing writes. */
    static final String CONSUMER_ROUTE_ID = "tickets-consume";

    /** The consumer's claims: a ticket held by a live owner is waited for, never skipped. */
    @Bean
    AwaitedClaims ticketClaims(RouteBeans routeBeans) {
        return new AwaitedClaims(routeBeans.processedMessages());
    }

    @Bean
    DedupPurge dedupPurge(RouteBeans routeBeans, @Value("${intake.consumer.dedup.horizon}") Duration horizon) {
        return new DedupPurge(routeBeans.processedMessages(), horizon, routeBeans.clock());
    }

    /** The tickets topic's data format: route tickets-record's {@code unmarshal: custom: ticketEvent}, and the batches. */
    @Bean
    TicketDataFormat ticketEvent() {
        return new TicketDataFormat();
    }

    /** Works each poll's records as a batch; what a round leaves out goes through route tickets-record (docs/adr/0015). */
    @Bean
    TicketBatch ticketBatch(TicketDataFormat ticketEvent, RouteBeans routeBeans, OffsetCommit offsetCommit,
                            CamelContext camelContext, MeterRegistry registry) {
        return new TicketBatch(ticketEvent, routeBeans.processedMessages(), routeBeans.ticketStore(), routeBeans.agent(),
                routeBeans.agentOutputs(), offsetCommit, routeBeans.pollBudget(), camelContext.createProducerTemplate(), registry);
    }

    @Bean
    OffsetCommit offsetCommit() {
        return new OffsetCommit();
    }

    @Bean
    DeadLetterForensics deadLetterForensics(@Value("${intake.consumer.group-id}") String groupId,
                                            @Value("${intake.instance-id:}") String instanceId, RouteBeans routeBeans) {
        return new DeadLetterForensics(groupId, InstanceId.of(instanceId), routeBeans.clock());
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
    ConsumerLag consumerLag(CamelContext camelContext, MeterRegistry registry, RouteBeans routeBeans,
                            @Value("${camel.component.kafka.brokers}") String brokers,
                            @Value("${intake.consumer.group-id}") String groupId,
                            @Value("${intake.consumer.lag.interval-ms}") long intervalMs) throws Exception {
        ConsumerLag lag = new ConsumerLag(brokers, groupId, routeBeans.topics().tickets(), Duration.ofMillis(intervalMs));
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
    DeadLetterReplays deadLetterReplays(@Value("${camel.component.kafka.brokers}") String brokers, RouteBeans routeBeans,
                                        @Value("${intake.consumer.dlq.replay-max-records:1000}") int maxRecords) {
        return new DeadLetterReplays(new DeadLetterReplay(brokers, routeBeans.topics().dlq(), maxRecords), routeBeans.clock());
    }

    @Bean
    DeadLetterReplayEndpoint deadLetterReplayEndpoint(DeadLetterReplays replays,
                                                      @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
        return new DeadLetterReplayEndpoint(replays, basePath);
    }

    @Bean
    TicketsEndpoint ticketsEndpoint(RouteBeans routeBeans) {
        return new TicketsEndpoint(routeBeans.ticketStore());
    }
}
