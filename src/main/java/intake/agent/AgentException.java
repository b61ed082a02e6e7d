package intake.agent;

/** What both agent failures carry; the subclass says whether a retry can help. */
public abstract class AgentException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String agent;
    private final String ticketId;
    private final String reason;

    protected AgentException(String message, String agent, String ticketId, String reason, Throwable cause) {
        super(message, cause);
        this.agent = agent;
        this.ticketId = ticketId;
        this.reason = reason;
    }

    /** The name of the agent that failed. */
    public String getAgent() {
        return agent;
    }

    /** The id of the ticket that was being decided. */
    public String getTicketId() {
        return ticketId;
    }

    /** Why, without the agent and ticket prefix of the message (for example "HTTP 503: ..."). */
    public String getReason() {
        return reason;
    }
}
