package intake.agent;

/** Transient: the agent cannot decide now (timeout, refused, 5xx, 429, bad answer); redelivered, then dead-lettered. */
public class AgentUnavailableException extends AgentException {

    private static final long serialVersionUID = 1L;

    public AgentUnavailableException(String agent, String ticketId, String reason) {
        this(agent, ticketId, reason, null);
    }

    public AgentUnavailableException(String agent, String ticketId, String reason, Throwable cause) {
        super("Agent '" + agent + "' is unavailable for ticket " + ticketId + ": " + reason, agent, ticketId, reason, cause);
    }
}
