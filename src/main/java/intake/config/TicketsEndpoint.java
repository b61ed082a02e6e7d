package intake.config;

import intake.ticket.TicketStore;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/** Any processed ticket for operators on the management port: {@code GET /actuator/tickets/{ticketId}}, no token needed. */
@Endpoint(id = "tickets")
public class TicketsEndpoint {

    private final TicketStore store;

    public TicketsEndpoint(TicketStore store) {
        this.store = store;
    }

    @ReadOperation
    public WebEndpointResponse<Object> ticket(@Selector String ticketId) {
        return store.find(ticketId).<WebEndpointResponse<Object>>map(WebEndpointResponse::new)
                .orElseGet(() -> new WebEndpointResponse<>(ManagementErrors.body("not_found", "No processed ticket has id " + ticketId),
                        WebEndpointResponse.STATUS_NOT_FOUND));
    }
}
