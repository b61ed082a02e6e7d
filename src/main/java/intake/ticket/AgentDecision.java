package intake.ticket;

import java.util.List;

/** What an agent decided for one ticket; a plain record, so Jackson writes and reads it as it is. */
public record AgentDecision(String ticketId, String customerId, String agent, String category, String priority,
                            boolean escalate, List<String> escalationReasons, String reply) {

    /** The known categories, in the order that breaks ties between them. */
    public static final List<String> CATEGORIES = List.of("billing", "technical", "account", "general");

    /** The known priorities, lowest first. */
    public static final List<String> PRIORITIES = List.of("low", "normal", "high", "urgent");

    public AgentDecision {
        // An immutable copy keeps a decision from changing after it was logged or published;
        // a missing list (an older or terser producer) reads as "no reasons".
        escalationReasons = escalationReasons == null ? List.of() : List.copyOf(escalationReasons);
    }
}
