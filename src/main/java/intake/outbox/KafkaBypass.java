package intake.outbox;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bypass mode, made visible: it is on while the circuit breaker around Kafka is not closed or
 * records still wait in the outbox. Says so in the log when it starts (WARN) and ends (INFO).
 */
public class KafkaBypass {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBypass.class);

    private final CircuitBreaker breaker;
    private final Outbox outbox;

    public KafkaBypass(CircuitBreaker breaker, Outbox outbox) {
        this.breaker = breaker;
        this.outbox = outbox;
        breaker.getEventPublisher().onStateTransition(event -> {
            switch (event.getStateTransition().getToState()) {
                case OPEN, FORCED_OPEN -> LOG.warn("Kafka bypass started: the circuit breaker opened ({}). Events go to the"
                        + " outbox (depth {}) and tickets are processed directly", event.getStateTransition(), depthForLog());
                case CLOSED -> LOG.info("Kafka bypass ended: the circuit breaker closed; the relay drains the outbox (depth {})",
                        depthForLog());
                default -> LOG.info("Kafka circuit breaker: {}", event.getStateTransition());
            }
        });
    }

    /**
     * Whether the relay has work: records waiting while the breaker lets calls through, or a
     * half-open breaker whose trial calls decide whether the broker is back (the relay makes
     * them when no request does, so the breaker closes by itself).
     */
    public boolean relayNeeded() {
        return switch (breaker.getState()) {
            case HALF_OPEN -> true;
            case CLOSED, DISABLED, METRICS_ONLY -> outbox.depth() > 0;
            default -> false;
        };
    }

    /**
     * Whether the tickets of an exchange whose records went to the outbox are processed at once, as
     * the consumer would: when Kafka failed this exchange (the breaker's fallback stored them) or the
     * breaker is not closed. Records that only queue behind older ones while Kafka answers reach the
     * consumer through the relay; processing each of them directly too, under load, put two or three
     * more rows in the outbox per request, and the relay never got ahead of the edge (docs/adr/0014).
     */
    public boolean processesDirectly(Exchange exchange) {
        return exchange.getProperty(Outbox.STORED, false, Boolean.class)
                && (exchange.getProperty(ExchangePropertyKey.CIRCUIT_BREAKER_RESPONSE_FROM_FALLBACK, false, Boolean.class)
                        || breaker.getState() != CircuitBreaker.State.CLOSED);
    }

    /**
     * Whether an exchange's records go straight to the outbox, without asking Kafka: its event is
     * already there (the outputs of bypass processing follow it, and do not wait for Kafka a
     * second time), or older records of the same keys still wait there (they queue behind them, so
     * the relay keeps one customer's events in order).
     */
    @SuppressWarnings("unchecked")
    public boolean joinsOutbox(Exchange exchange) {
        return exchange.getProperty(Outbox.STORED, false, Boolean.class)
                || outbox.waitingFor(exchange.getIn().getBody(List.class));
    }

    public boolean active() {
        return active(outbox.depth());
    }

    /** The same, for a caller that already counted the outbox. */
    public boolean active(long outboxDepth) {
        return breaker.getState() != CircuitBreaker.State.CLOSED || outboxDepth > 0;
    }

    public CircuitBreaker.State breakerState() {
        return breaker.getState();
    }

    /** Opens the breaker at once: start-up found no broker, so no request should wait to find out. */
    public void startInBypass(String reason) {
        LOG.warn("Starting in Kafka bypass mode: {}", reason);
        breaker.transitionToOpenState();
    }

    private String depthForLog() {
        try {
            return Long.toString(outbox.depth());
        } catch (RuntimeException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }
}
