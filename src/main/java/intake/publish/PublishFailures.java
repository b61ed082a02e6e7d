package intake.publish;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.apache.camel.Exchange;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * Tells a failed Kafka send that may succeed later (broker unreachable, timeouts, not enough
 * replicas: worth the outbox) from one the broker will refuse for ever (too large, invalid topic,
 * not authorized: the outbox would only keep it, and everything behind it, waiting).
 */
public class PublishFailures {

    /** Whether a failure is worth retrying: Kafka's retriable family, a timeout, or the breaker being open. */
    public static boolean isTransient(Throwable failure) {
        // org.apache.kafka.common.errors.TimeoutException is a RetriableException
        return causedBy(failure, RetriableException.class) || causedBy(failure, java.util.concurrent.TimeoutException.class)
                || causedBy(failure, CallNotPermittedException.class);
    }

    /**
     * Whether the broker refuses this one record for ever, whoever sends it: the relay quarantines
     * such a row. Failures of the whole client (bad credentials, no cluster authorization, a closed
     * producer) are not listed: they say nothing about the row, so it stays in the outbox.
     */
    public static boolean isRefusedForGood(Throwable failure) {
        return causedBy(failure, RecordTooLargeException.class) || causedBy(failure, RecordBatchTooLargeException.class)
                || causedBy(failure, InvalidTopicException.class) || causedBy(failure, TopicAuthorizationException.class)
                || causedBy(failure, InvalidRecordException.class);
    }

    /**
     * The publish fallback's gate: returns for a transient failure (its records go to the outbox),
     * throws for a permanent one, so the caller gets its error and nothing is stored.
     */
    public void requireTransient(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        // no failure: the open breaker did not let the call through, nothing was sent
        if (failure == null || isTransient(failure)) {
            return;
        }
        if (causedBy(failure, RecordTooLargeException.class)) {
            throw RecordSizeLimit.rejection();
        }
        throw new PublishRefusedException("Kafka refused the event for good: " + failure, failure);
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
