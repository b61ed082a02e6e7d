package intake.config;

import intake.outbox.KafkaBypass;
import intake.outbox.Outbox;
import intake.wiring.RouteBeans;
import java.util.concurrent.CompletableFuture;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** How bypass mode is seen and entered at start-up; the breaker and the outbox themselves are {@link RouteBeans}. */
@Configuration(proxyBeanMethods = false)
public class BypassBeans {

    /** Health status while Kafka is bypassed: requests are still served (HTTP 200), but not through Kafka. */
    static final Status DEGRADED = new Status("DEGRADED", "Kafka is bypassed: events wait in the outbox");

    /**
     * Topics at start-up; without a broker, bypass mode at once instead of a failed start. The
     * broker is asked on a thread of its own while the rest of the context is created, so a broker
     * that does not answer costs start-up little of its timeout; the routes start only after.
     */
    @Bean
    SmartInitializingSingleton kafkaAtStartup(RouteBeans routeBeans) {
        CompletableFuture<Boolean> provisioned = CompletableFuture.supplyAsync(routeBeans::provisionTopicsOrBypass, task -> {
            Thread check = new Thread(task, "kafka-startup-check");
            check.setDaemon(true); // a start-up that fails meanwhile does not wait for it to exit
            check.start();
        });
        return provisioned::join;
    }

    /** Kafka's part of /actuator/health: UP, or DEGRADED with the outbox depth while bypassed. */
    @Bean
    HealthIndicator kafkaHealthIndicator(RouteBeans routeBeans) {
        KafkaBypass bypass = routeBeans.kafkaBypass();
        Outbox outbox = routeBeans.outbox();
        return () -> {
            long depth = outbox.depth();
            Health.Builder health = bypass.active(depth) ? Health.status(DEGRADED).withDetail("bypass", true)
                    : Health.up().withDetail("bypass", false);
            return health.withDetail("circuitBreaker", bypass.breakerState().name())
                    .withDetail("outboxDepth", depth)
                    .withDetail("outboxQuarantined", outbox.quarantined())
                    .build();
        };
    }

}
