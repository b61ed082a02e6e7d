package intake.channel.twilio;

import intake.ingress.ContentTypes;
import intake.ingress.FieldValidator;
import intake.ingress.FormBody;
import intake.ingress.IntakeExchange;
import intake.ingress.RawPayload;
import intake.ticket.Attachment;
import intake.ticket.CustomerIds;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;

/** Reads a verified Twilio WhatsApp message webhook (form parameters) and makes its ticket. */
public class TwilioMessageReader {

    public static final String CHANNEL = "whatsapp";
    public static final String SOURCE = "twilio";
    /** Twilio sends at most 10 media items per message. */
    private static final int MAX_MEDIA = 10;

    public List<TicketEvent> read(Exchange exchange) {
        ContentTypes.require(exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class), ContentTypes.FORM);
        Map<String, List<String>> form = FormBody.parse(exchange.getIn().getBody(byte[].class));

        FieldValidator fields = new FieldValidator();
        String messageSid = fields.required("MessageSid", FormBody.first(form, "MessageSid"), 64);
        String from = fields.required("From", FormBody.first(form, "From"), 64);
        Optional<String> customerId = CustomerIds.fromPhone(from);
        if (from != null && customerId.isEmpty()) {
            fields.reject("From", "must be a WhatsApp address such as whatsapp:+14155550100");
        }
        String body = fields.optional("Body", FormBody.first(form, "Body"), 10_000);
        List<Attachment> media = media(form, fields);
        if (body == null && media.isEmpty() && !fields.hasErrorFor("Body")) {
            fields.reject("Body", "is required when the message has no media");
        }
        fields.throwIfInvalid();

        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        TicketEvent.Builder ticket = Tickets.newTicket(CHANNEL, SOURCE, messageSid,
                        exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class), raw.receivedAt())
                .setCustomerId(customerId.orElseThrow())
                .setCustomerName(FormBody.first(form, "ProfileName"))
                .setBody(body == null ? "" : body)
                .setAttachments(media);
        putIfPresent(ticket, "to", FormBody.first(form, "To"));
        putIfPresent(ticket, "accountSid", FormBody.first(form, "AccountSid"));
        putIfPresent(ticket, "waId", FormBody.first(form, "WaId"));
        return List.of(ticket.build());
    }

    private static List<Attachment> media(Map<String, List<String>> form, FieldValidator fields) {
        String declared = FormBody.first(form, "NumMedia");
        if (declared == null || declared.isBlank()) {
            return List.of();
        }
        int count;
        try {
            count = Integer.parseInt(declared.strip());
        } catch (NumberFormatException e) {
            count = -1;
        }
        if (count < 0 || count > MAX_MEDIA) {
            fields.reject("NumMedia", "must be a number from 0 to " + MAX_MEDIA);
            return List.of();
        }
        List<Attachment> media = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String url = fields.required("MediaUrl" + i, FormBody.first(form, "MediaUrl" + i), 2048);
            String type = fields.required("MediaContentType" + i, FormBody.first(form, "MediaContentType" + i), 255);
            if (url != null && type != null) {
                media.add(new Attachment("media-" + i, type, null, url));
            }
        }
        return media;
    }

    private static void putIfPresent(TicketEvent.Builder ticket, String key, String value) {
        if (value != null && !value.isBlank()) {
            ticket.getDetails().put(key, value);
        }
    }
}
