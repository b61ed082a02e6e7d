package intake.ingress;

/** Names of the exchange properties the intake routes share. */
public final class IntakeExchange {

    /** The channel an exchange came in on: webform, webhook, whatsapp or email. */
    public static final String CHANNEL = "intakeChannel";
    /** The {@link RawPayload} as received, for the channel's audit topic. */
    public static final String RAW = "intakeRaw";
    public static final String CORRELATION_ID = "intakeCorrelationId";
    /** The ticket ids the request produced, for the reply. */
    public static final String TICKET_IDS = "intakeTicketIds";
    /** The HTTP header a caller may set, and always gets back. */
    public static final String CORRELATION_HEADER = "X-Correlation-ID";

    private IntakeExchange() {
    }
}
