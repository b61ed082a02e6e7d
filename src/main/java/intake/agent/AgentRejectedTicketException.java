package intake.agent;

/** Permanent: the agent says this ticket can never be processed (e.g. HTTP 4xx); dead-lettered at once, no retry. */
public class AgentRejectedTicketException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String agent;
    private final String ticketId;
    private final String reason;

    public AgentRejectedTicketException(String agent, String ticketId, String reason) {
        this(agent, ticketId, reason, null);
    }

    public AgentRejectedTicketException(String agent, String ticketId, String reason, Throwable cause) {
        super("Agent '" + agent + "' rejected ticket " + ticketId + ": " + reason, cause);
        this.agent = agent;
        this.ticketId = ticketId;
        this.reason = reason;
    }

    /** The name of the agent that rejected the ticket. */
    public String getAgent() {
        return agent;
    }

    /** The id of the rejected ticket. */
    public String getTicketId() {
        return ticketId;
    }

    /** Why, without the agent and ticket prefix of the message (for example "HTTP 400: ..."). */
    public String getReason() {
        return reason;
    }
}
