package intake.config;

import intake.database.StatementTimeout;
import intake.outbox.KafkaBypass;
import intake.outbox.Outbox;
import intake.outbox.OutboxRelay;
import intake.publish.PublishFailures;
import intake.publish.RecordSizeLimit;
import intake.publish.TopicProvisioner;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires bypass mode: the circuit breaker around Kafka, the outbox, and how both are seen. */
@Configuration(proxyBeanMethods = false)
public class BypassBeans {

    /** Health status while Kafka is bypassed: requests are still served (HTTP 200), but not through Kafka. */
    static final Status DEGRADED = new Status("DEGRADED", "Kafka is bypassed: events wait in the outbox");

    /** The breaker the intake-publish and outbox-relay routes share (resilience4jConfiguration.circuitBreaker). */
    @Bean
    CircuitBreaker kafkaCircuitBreaker(IntakeProperties intake, MeterRegistry meterRegistry,
                                       @Value("${camel.component.kafka.max-block-ms}") long maxBlockMs,
                                       @Value("${camel.component.kafka.delivery-timeout-ms}") long deliveryTimeoutMs) {
        IntakeProperties.Bypass bypass = intake.bypass();
        requireProducerGivesUpWithinBound(maxBlockMs, deliveryTimeoutMs, bypass.requestBoundMs());
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
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meterRegistry);
        return registry.circuitBreaker("kafka");
    }

    /** The breaker has no time limit of its own: the producer's timeouts are what keeps a request within the bound. */
    private static void requireProducerGivesUpWithinBound(long maxBlockMs, long deliveryTimeoutMs, long requestBoundMs) {
        if (maxBlockMs + deliveryTimeoutMs >= requestBoundMs) {
            throw new IllegalStateException("camel.component.kafka.max-block-ms (" + maxBlockMs + ") + delivery-timeout-ms ("
                    + deliveryTimeoutMs + ") must stay below intake.bypass.request-bound-ms (" + requestBoundMs
                    + "): the producer has to give up on a dead broker in time for the event to reach the outbox within the bound");
        }
    }

    @Bean
    Outbox outbox(DataSource dataSource, Clock clock, @Value("${intake.instance-id:}") String instanceId,
                  IntakeProperties intake, StatementTimeout statementTimeout) {
        return new Outbox(dataSource, clock, InstanceId.of(instanceId), intake.bypass().relayClaimLease(), statementTimeout);
    }

    /** The relay's own producer, configured as camel.component.kafka.* configures the routes' one. */
    @Bean
    OutboxRelay outboxRelay(Outbox outbox, CircuitBreaker kafkaCircuitBreaker, RecordSizeLimit recordSizeLimit, CamelContext camel,
                            TopicProvisioner topicProvisioner, MeterRegistry meterRegistry,
                            @Value("${intake.bypass.relay-batch-size}") int batchSize) {
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
        }, topicProvisioner, batchSize, meterRegistry);
    }

    @Bean
    KafkaBypass kafkaBypass(CircuitBreaker kafkaCircuitBreaker, Outbox outbox, MeterRegistry meterRegistry) {
        KafkaBypass bypass = new KafkaBypass(kafkaCircuitBreaker, outbox);
        Gauge.builder("kafka.bypass.active", bypass, b -> b.active() ? 1 : 0)
                .description("1 while Kafka is bypassed: breaker not closed, or records waiting in the outbox")
                .register(meterRegistry);
        Gauge.builder("intake.outbox.depth", outbox, Outbox::depth)
                .description("Records waiting in the outbox for the relay (quarantined ones are not waiting)")
                .register(meterRegistry);
        Gauge.builder("intake.outbox.quarantine.depth", outbox, Outbox::quarantined)
                .description("Outbox records the broker refused for good, waiting in outbox_quarantine for an operator")
                .register(meterRegistry);
        return bypass;
    }

    /**
     * Topics at start-up; without a broker, bypass mode at once instead of a failed start. The
     * broker is asked on a thread of its own while the rest of the context is created, so a broker
     * that does not answer costs start-up little of its timeout; the routes start only after.
     */
    @Bean
    SmartInitializingSingleton kafkaAtStartup(TopicProvisioner topicProvisioner, KafkaBypass bypass,
                                              @Value("${camel.component.kafka.brokers}") String brokers) {
        CompletableFuture<Boolean> provisioned = CompletableFuture.supplyAsync(topicProvisioner::tryEnsureTopics, task -> {
            Thread check = new Thread(task, "kafka-startup-check");
            check.setDaemon(true); // a start-up that fails meanwhile does not wait for it to exit
            check.start();
        });
        return () -> {
            if (!provisioned.join()) {
                bypass.startInBypass("no Kafka broker answered at " + brokers + "; the relay creates the topics when one does");
            }
        };
    }

    /** Kafka's part of /actuator/health: UP, or DEGRADED with the outbox depth while bypassed. */
    @Bean
    HealthIndicator kafkaHealthIndicator(KafkaBypass bypass, Outbox outbox) {
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
