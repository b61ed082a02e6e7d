package intake.outbox;

/** Neither Kafka nor the outbox took the event: nothing may be acknowledged. */
public class OutboxUnavailableException extends RuntimeException {

    public OutboxUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
