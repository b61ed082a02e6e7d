package intake.ingress;

import intake.ticket.StatusTokens;
import intake.ticket.TicketStore;
import java.util.Map;
import org.apache.camel.Header;

/** GET /tickets/{ticketId}?token=…: the processed ticket's status and reply, or a 404. */
public class TicketStatusLookup {

    private final TicketStore store;
    private final StatusTokens tokens;

    public TicketStatusLookup(TicketStore store, StatusTokens tokens) {
        this.store = store;
        this.tokens = tokens;
    }

    /**
     * A missing or wrong token gets the very 404 of an unknown ticket, so the answer never tells
     * whether a ticket with that id exists: ids of provider messages can be derived (ADR 0003).
     */
    public Map<String, Object> find(@Header("ticketId") String ticketId, @Header("token") String token) {
        if (!tokens.verifies(ticketId, token)) {
            throw notFound(ticketId);
        }
        return store.find(ticketId).orElseThrow(() -> notFound(ticketId));
    }

    private static IntakeRejection notFound(String ticketId) {
        return IntakeRejection.notFound(
                "No processed ticket has id '" + ticketId + "'; a ticket accepted moments ago may still be queued");
    }
}
