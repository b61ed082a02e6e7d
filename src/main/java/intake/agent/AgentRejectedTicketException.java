package intake.agent;

/** Permanent: the agent says this ticket can never be processed (e.g. HTTP 4xx); dead-lettered at once, no retry. */
public class AgentRejectedTicketException extends AgentException {

    private static final long serialVersionUID = 1L;

    public AgentRejectedTicketException(String agent, String ticketId, String reason) {
        this(agent, ticketId, reason, null);
    }

    public AgentRejectedTicketException(String agent, String ticketId, String reason, Throwable cause) {
        super("Agent '" + agent + "' rejected ticket " + ticketId + ": " + reason, agent, ticketId, reason, cause);
    }
}
