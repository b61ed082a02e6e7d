package intake.forensics;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches writes to the dead-letter topic. A failed write fails the exchange, so its offset is not
 * committed and the record is read again; after several failures in a row the consumer is stopped
 * rather than spin, health turns DOWN and the reason is logged: nothing is dropped silently.
 */
public class DeadLetterGuard {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterGuard.class);

    private final CamelContext camelContext;
    private final String consumerRouteId;
    private final int maxConsecutiveFailures;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile String stoppedBecause;

    public DeadLetterGuard(CamelContext camelContext, String consumerRouteId, int maxConsecutiveFailures) {
        this.camelContext = camelContext;
        this.consumerRouteId = consumerRouteId;
        this.maxConsecutiveFailures = maxConsecutiveFailures;
    }

    public void written() {
        consecutiveFailures.set(0);
    }

    /** Counts the failure and fails the exchange with it; stops the consumer past the limit. */
    public void failed(Exchange exchange) throws Exception {
        Exception cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        int failures = consecutiveFailures.incrementAndGet();
        LOG.error("Writing to the dead-letter topic failed ({} in a row); the record's offset is not committed: {}",
                failures, String.valueOf(cause));
        if (failures >= maxConsecutiveFailures && stoppedBecause == null) {
            stoppedBecause = "The dead-letter topic refused " + failures + " writes in a row: " + cause;
            LOG.error("Stopping route {} so no record is committed without its dead-letter copy. {}", consumerRouteId, stoppedBecause);
            // A route cannot stop itself from its own thread while this exchange is in flight.
            Thread stopper = new Thread(this::stopConsumer, "dead-letter-guard");
            stopper.setDaemon(true);
            stopper.start();
        }
        throw cause != null ? cause : new IllegalStateException("Writing to the dead-letter topic failed");
    }

    /** The operator's answer once the dead-letter topic takes writes again: start consuming anew. */
    public void resume() throws Exception {
        LOG.info("Resuming route {} after: {}", consumerRouteId, stoppedBecause);
        consecutiveFailures.set(0);
        stoppedBecause = null;
        camelContext.getRouteController().startRoute(consumerRouteId);
    }

    public boolean consumerStopped() {
        return stoppedBecause != null;
    }

    public String stoppedBecause() {
        return stoppedBecause;
    }

    public int consecutiveFailures() {
        return consecutiveFailures.get();
    }

    private void stopConsumer() {
        try {
            camelContext.getRouteController().stopRoute(consumerRouteId);
        } catch (Exception e) {
            LOG.error("Could not stop route {}", consumerRouteId, e);
        }
    }
}
