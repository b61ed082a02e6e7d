package intake.agent;

/** Transient: the agent cannot decide now (timeout, refused, 5xx, 429, bad answer); redelivered, then dead-lettered. */
public class AgentUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String agent;
    private final String ticketId;
    private final String reason;

    public AgentUnavailableException(String agent, String ticketId, String reason) {
        this(agent, ticketId, reason, null);
    }

    public AgentUnavailableException(String agent, String ticketId, String reason, Throwable cause) {
        super("Agent '" + agent + "' is unavailable for ticket " + ticketId + ": " + reason, cause);
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
