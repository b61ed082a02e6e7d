package intake.channel.meta;

import com.fasterxml.jackson.databind.JsonNode;
import intake.ingress.ContentTypes;
import intake.ingress.FieldValidator;
import intake.ingress.IntakeExchange;
import intake.ingress.JsonBody;
import intake.ingress.RawPayload;
import intake.ticket.Attachment;
import intake.ticket.CustomerIds;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.camel.Exchange;

/**
 * Reads a verified WhatsApp Cloud API notification: every message in
 * {@code entry[].changes[].value.messages[]} becomes one ticket; status updates make none.
 */
public class MetaMessageReader {

    public static final String CHANNEL = "whatsapp";
    public static final String SOURCE = "meta";
    private static final Set<String> MEDIA_TYPES = Set.of("image", "audio", "video", "document", "sticker");

    public List<TicketEvent> read(Exchange exchange) {
        ContentTypes.require(exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class), ContentTypes.JSON);
        JsonNode notification = JsonBody.parseObject(exchange.getIn().getBody(byte[].class));
        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        String correlationId = exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class);

        FieldValidator fields = new FieldValidator();
        String object = JsonBody.text(notification, "object", "object", fields);
        if (!"whatsapp_business_account".equals(object)) {
            fields.reject("object", "must be whatsapp_business_account");
        }
        JsonNode entries = notification.get("entry");
        if (entries == null || !entries.isArray()) {
            fields.reject("entry", "is required and must be an array");
        }
        fields.throwIfInvalid();

        List<TicketEvent> tickets = new ArrayList<>();
        for (int e = 0; e < entries.size(); e++) {
            JsonNode changes = entries.get(e).path("changes");
            for (int c = 0; c < changes.size(); c++) {
                JsonNode value = changes.get(c).path("value");
                JsonNode messages = value.path("messages");
                for (int m = 0; m < messages.size(); m++) {
                    String path = "entry[" + e + "].changes[" + c + "].value.messages[" + m + "]";
                    TicketEvent ticket = ticket(messages.get(m), value, path, fields, correlationId, raw);
                    if (ticket != null) {
                        tickets.add(ticket);
                    }
                }
            }
        }
        fields.throwIfInvalid();
        return tickets;
    }

    private static TicketEvent ticket(JsonNode message, JsonNode value, String path, FieldValidator fields,
                                      String correlationId, RawPayload raw) {
        String wamid = fields.required(path + ".id", JsonBody.text(message, "id", path + ".id", fields), 256);
        String from = JsonBody.text(message, "from", path + ".from", fields);
        JsonNode contact = contactOf(value.path("contacts"), from);
        // Users with a WhatsApp username may hide their number: then the business-scoped user id is the customer.
        String customerId = CustomerIds.fromPhone(from).orElse(null);
        if (customerId == null) {
            customerId = firstText(message.path("from_user_id"), contact.path("user_id"));
        }
        if (customerId == null) {
            fields.reject(path + ".from", "needs the sender's phone number or business-scoped user id");
        }
        String type = message.path("type").asText("");
        String body = switch (type) {
            case "text" -> message.path("text").path("body").asText("");
            case "button" -> message.path("button").path("text").asText("");
            case "interactive" -> firstText(message.path("interactive").path("button_reply").path("title"),
                    message.path("interactive").path("list_reply").path("title"));
            case "location" -> location(message.path("location"));
            case "reaction" -> message.path("reaction").path("emoji").asText("");
            default -> message.path(type).path("caption").asText("");
        };
        if (wamid == null || customerId == null) {
            return null;
        }
        TicketEvent.Builder ticket = Tickets.newTicket(CHANNEL, SOURCE, wamid, correlationId, raw.receivedAt())
                .setCustomerId(customerId)
                .setCustomerName(firstText(contact.path("profile").path("name")))
                .setBody(body == null ? "" : body);
        if (MEDIA_TYPES.contains(type)) {
            JsonNode media = message.path(type);
            String name = media.path("filename").asText(type);
            ticket.getAttachments().add(new Attachment(name, media.path("mime_type").asText("application/octet-stream"),
                    null, firstText(media.path("id"))));
        }
        ticket.getDetails().put("messageType", type);
        putIfPresent(ticket, "phoneNumberId", value.path("metadata").path("phone_number_id"));
        putIfPresent(ticket, "displayPhoneNumber", value.path("metadata").path("display_phone_number"));
        putIfPresent(ticket, "sentAt", message.path("timestamp"));
        putIfPresent(ticket, "replyTo", message.path("context").path("id"));
        return ticket.build();
    }

    private static JsonNode contactOf(JsonNode contacts, String from) {
        for (JsonNode contact : contacts) {
            if (from == null || from.equals(contact.path("wa_id").asText(null))) {
                return contact;
            }
        }
        return contacts.path(0);
    }

    private static String location(JsonNode location) {
        String place = firstText(location.path("name"), location.path("address"));
        String coordinates = location.path("latitude").asText("") + "," + location.path("longitude").asText("");
        return place == null ? coordinates : place + " (" + coordinates + ")";
    }

    private static String firstText(JsonNode... candidates) {
        for (JsonNode candidate : candidates) {
            if (candidate.isTextual() && !candidate.textValue().isBlank()) {
                return candidate.textValue();
            }
        }
        return null;
    }

    private static void putIfPresent(TicketEvent.Builder ticket, String key, JsonNode value) {
        if (value.isValueNode() && !value.asText().isBlank()) {
            ticket.getDetails().put(key, value.asText());
        }
    }
}
