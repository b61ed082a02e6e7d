package intake.consumer;

/** A record on the tickets topic that is not a TicketEvent this version can read: never worth a retry. */
public class PoisonPillException extends RuntimeException {

    public PoisonPillException(String message, Throwable cause) {
        super(message, cause);
    }
}
