package intake.ticket;

/** Names of the exchange properties the ticket-processing routes share. */
public final class TicketExchange {

    /** The decoded {@link TicketEvent} being processed. */
    public static final String TICKET = "intakeTicket";
    /** The consumed record's value exactly as read: what the dead-letter record carries. */
    public static final String RECORD_VALUE = "intakeRecordValue";

    private TicketExchange() {
    }
}
