package intake.ingress;

import intake.ticket.TicketStore;
import java.util.Map;
import org.apache.camel.Header;

/** GET /tickets/{ticketId}: the processed ticket's status and reply, or a 404. */
public class TicketStatusLookup {

    private final TicketStore store;

    public TicketStatusLookup(TicketStore store) {
        this.store = store;
    }

    public Map<String, Object> find(@Header("ticketId") String ticketId) {
        return store.find(ticketId).orElseThrow(() -> IntakeRejection.notFound(
                "No processed ticket has id '" + ticketId + "'; a ticket accepted moments ago may still be queued"));
    }
}
