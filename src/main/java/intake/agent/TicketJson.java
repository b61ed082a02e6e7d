package intake.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.ticket.Attachment;
import intake.ticket.TicketEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A {@link TicketEvent} as plain JSON values: what the HTTP agent posts, for every JSON view of a ticket. */
public final class TicketJson {

    // Avro's generated classes are not Jackson beans, so only the map built here goes through it.
    private static final ObjectMapper JSON = new ObjectMapper();

    // {"ticketId","channel","source","customerId","customerName","subject","body","receivedAt" (ISO-8601 UTC),
    //  "correlationId","attachments":[{"name","contentType","sizeBytes","reference"}],"details":{...}}
    // Optional values are JSON null rather than absent, so readers see one shape; sourceMessageId
    // is left out on purpose: it is the provider's internal id, and ticketId is derived from it.

    private TicketJson() {
    }

    /** The ticket as an ordered map of JSON values, ready for any JSON writer. */
    public static Map<String, Object> toMap(TicketEvent ticket) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("ticketId", ticket.getTicketId() == null ? null : ticket.getTicketId().toString());
        json.put("channel", ticket.getChannel());
        json.put("source", ticket.getSource());
        json.put("customerId", ticket.getCustomerId());
        json.put("customerName", ticket.getCustomerName());
        json.put("subject", ticket.getSubject());
        json.put("body", ticket.getBody());
        json.put("receivedAt", ticket.getReceivedAt() == null ? null : ticket.getReceivedAt().toString());
        json.put("correlationId", ticket.getCorrelationId());
        List<Map<String, Object>> attachments = new ArrayList<>();
        if (ticket.getAttachments() != null) {
            for (Attachment attachment : ticket.getAttachments()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("name", attachment.getName());
                item.put("contentType", attachment.getContentType());
                item.put("sizeBytes", attachment.getSizeBytes());
                item.put("reference", attachment.getReference());
                attachments.add(item);
            }
        }
        json.put("attachments", attachments);
        // Sorted keys: the same ticket always gives the same bytes, whatever map Avro decoded into.
        json.put("details", ticket.getDetails() == null ? new TreeMap<>() : new TreeMap<>(ticket.getDetails()));
        return json;
    }

    /** The ticket as a JSON text. */
    public static String toJson(TicketEvent ticket) {
        try {
            return JSON.writeValueAsString(toMap(ticket));
        } catch (JsonProcessingException e) {
            // Strings, numbers, lists and maps always serialize; this would be a bug here.
            throw new IllegalStateException("Could not write ticket " + ticket.getTicketId() + " as JSON", e);
        }
    }
}
