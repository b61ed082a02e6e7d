package intake.config;

import intake.forensics.DeadLetterGuard;
import intake.forensics.DeadLetterReplay;
import intake.forensics.DeadLetterReplays;
import intake.wiring.RouteBeans;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The processor role's Spring Boot surface: the {@code ticketConsumer} health indicator and the
 * actuator endpoints {@code ticketconsumer}, {@code dlqreplay} and {@code tickets}. The beans the
 * processor's routes call are {@link RouteBeans}'.
 */
@Configuration(proxyBeanMethods = false)
public class ConsumerBeans {

    /**
     * DOWN once the dead-letter guard stopped the consumer: tickets are waiting and an operator must
     * act. Without the processor role (intake.roles) there is no consumer to stop: UP, running false.
     */
    @Bean
    HealthIndicator ticketConsumerHealthIndicator(RouteBeans routeBeans, @Value("${intake.roles.processor:true}") boolean processor) {
        DeadLetterGuard guard = routeBeans.deadLetterGuard();
        if (!processor) {
            return () -> Health.up().withDetail("running", false).build();
        }
        return () -> guard.consumerStopped()
                ? Health.down().withDetail("reason", guard.stoppedBecause()).build()
                : Health.up().withDetail("deadLetterWriteFailuresInARow", guard.consecutiveFailures()).build();
    }

    @Bean
    TicketConsumerEndpoint ticketConsumerEndpoint(RouteBeans routeBeans) {
        return new TicketConsumerEndpoint(routeBeans.deadLetterGuard());
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
