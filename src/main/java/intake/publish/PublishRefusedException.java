package intake.publish;

/** Kafka refused an event for good (invalid topic, not authorized, ...): nothing was stored, the caller gets a 500. */
public class PublishRefusedException extends RuntimeException {

    public PublishRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
