package intake.outbox;

/** A relay batch was not relayed whole for a reason that may pass: the rows not sent wait for the next run. */
public class OutboxRelayException extends RuntimeException {

    public OutboxRelayException(String message, Throwable cause) {
        super(message, cause);
    }
}
