package intake.channel.form;

import com.fasterxml.jackson.databind.JsonNode;
import intake.ingress.ContentTypes;
import intake.ingress.FieldValidator;
import intake.ingress.FormBody;
import intake.ingress.IntakeExchange;
import intake.ingress.JsonBody;
import intake.ingress.RawPayload;
import intake.ticket.CustomerIds;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;

/** Reads the support form (JSON or form-urlencoded), validates it and makes its ticket. */
public class SupportFormReader {

    public static final String CHANNEL = "webform";
    public static final String SOURCE = "support-form";
    private static final Pattern ORDER_NUMBER = Pattern.compile("[A-Za-z0-9-]{1,40}");

    public List<TicketEvent> read(Exchange exchange) {
        String mediaType = ContentTypes.require(exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class),
                ContentTypes.JSON, ContentTypes.FORM);
        byte[] body = exchange.getIn().getBody(byte[].class);
        Form form = ContentTypes.JSON.equals(mediaType) ? fromJson(body) : fromUrlEncoded(body);

        FieldValidator fields = form.fields();
        String name = fields.required("name", form.name(), 200);
        String email = fields.required("email", form.email(), 254);
        if (email != null && !CustomerIds.isEmail(email)) {
            fields.reject("email", "must be a valid email address");
        }
        String subject = fields.required("subject", form.subject(), 200);
        String message = fields.required("message", form.message(), 10_000);
        String orderNumber = fields.optional("orderNumber", form.orderNumber(), 40);
        if (orderNumber != null && !ORDER_NUMBER.matcher(orderNumber).matches()) {
            fields.reject("orderNumber", "may contain only letters, digits and dashes");
        }
        fields.throwIfInvalid();

        // The form has no provider message id: the ticket id is its own.
        UUID ticketId = UUID.randomUUID();
        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        TicketEvent.Builder ticket = Tickets.newTicket(CHANNEL, SOURCE, ticketId.toString(),
                        exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class), raw.receivedAt())
                .setTicketId(ticketId)
                .setCustomerId(CustomerIds.fromEmail(email))
                .setCustomerName(name)
                .setSubject(subject)
                .setBody(message);
        if (orderNumber != null) {
            ticket.getDetails().put("orderNumber", orderNumber);
        }
        return List.of(ticket.build());
    }

    private static Form fromJson(byte[] body) {
        JsonNode json = JsonBody.parseObject(body);
        FieldValidator fields = new FieldValidator();
        return new Form(fields,
                JsonBody.text(json, "name", "name", fields),
                JsonBody.text(json, "email", "email", fields),
                JsonBody.text(json, "subject", "subject", fields),
                JsonBody.text(json, "message", "message", fields),
                JsonBody.text(json, "orderNumber", "orderNumber", fields));
    }

    private static Form fromUrlEncoded(byte[] body) {
        Map<String, List<String>> form = FormBody.parse(body);
        return new Form(new FieldValidator(),
                FormBody.first(form, "name"),
                FormBody.first(form, "email"),
                FormBody.first(form, "subject"),
                FormBody.first(form, "message"),
                FormBody.first(form, "orderNumber"));
    }

    private record Form(FieldValidator fields, String name, String email, String subject, String message, String orderNumber) {
    }
}
