package intake.idempotency;

import java.time.Duration;

/**
 * A key stayed claimed by a live owner for as long as the consumer waits: the message is being
 * processed elsewhere, so its record is neither processed here nor committed, but read again.
 */
public class ClaimHeldException extends RuntimeException {

    public ClaimHeldException(String key, Duration waited) {
        super("Key '" + key + "' is still claimed by a live owner after " + waited.toMillis()
                + " ms; the record is read again, not committed as a duplicate");
    }
}
