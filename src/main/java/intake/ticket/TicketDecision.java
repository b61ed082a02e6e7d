package intake.ticket;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * A ticket's one decision as stored in the tickets table: what the agent decided, when, how long it
 * took, and the decision id every output record of it carries.
 */
public record TicketDecision(AgentDecision decision, String decisionId, Instant decidedAt, Long latencyMs) {

    /**
     * The decision id of a ticket: name-based (UUID version 3) on the ticket id, so it is the same
     * whoever decides and however often the decision is published, even for a row stored before it
     * was a column.
     */
    public static String idFor(String ticketId) {
        return UUID.nameUUIDFromBytes(("intake-decision:" + ticketId).getBytes(StandardCharsets.UTF_8)).toString();
    }
}
