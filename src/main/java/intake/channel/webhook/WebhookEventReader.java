package intake.channel.webhook;

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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.camel.Exchange;

/**
 * Reads a verified webhook event and makes its ticket; the webhook-id is the provider's message id.
 * An event is in the Standard Webhooks shape ({@code {"type", "data": {...}}}, see
 * docs/channels/webhooks.md), or, for a source that declares its own {@link WebhookFields}, where
 * those paths say.
 */
public class WebhookEventReader {

    public static final String CHANNEL = "webhook";

    private final Map<String, WebhookFields> fieldsBySource;

    /** Every source in the Standard Webhooks shape: for the Kamelet (beanType), which declares no fields. */
    public WebhookEventReader() {
        this(Map.of());
    }

    /** @param fieldsBySource the sources whose payload is not the Standard Webhooks shape */
    public WebhookEventReader(Map<String, WebhookFields> fieldsBySource) {
        this.fieldsBySource = Map.copyOf(fieldsBySource);
    }

    public List<TicketEvent> read(Exchange exchange) {
        ContentTypes.require(exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class), ContentTypes.JSON);
        JsonNode event = JsonBody.parseObject(exchange.getIn().getBody(byte[].class));
        String source = exchange.getIn().getHeader("source", String.class);
        String webhookId = exchange.getIn().getHeader("webhook-id", String.class);

        FieldValidator fields = new FieldValidator();
        WebhookFields shape = fieldsBySource.get(source);
        Payload payload = shape == null ? standard(event, fields) : declared(event, shape, fields);
        String email = payload.email();
        String phone = payload.phone();
        if (email != null && !CustomerIds.isEmail(email)) {
            fields.reject(payload.emailField(), "must be a valid email address");
        }
        Optional<String> e164 = CustomerIds.fromPhone(phone);
        if (phone != null && e164.isEmpty()) {
            fields.reject(payload.phoneField(), "must be a phone number in international format, e.g. +14155550100");
        }
        if (email == null && phone == null && payload.userId() == null && !fields.hasErrorFor(payload.customerField())) {
            fields.reject(payload.customerField(), payload.customerRequired());
        }
        fields.throwIfInvalid();

        String customerId = email != null ? CustomerIds.fromEmail(email) : e164.orElse(payload.userId());
        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        TicketEvent.Builder ticket = Tickets.newTicket(CHANNEL, source, webhookId,
                        exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class), raw.receivedAt())
                .setCustomerId(customerId)
                .setCustomerName(payload.name())
                .setSubject(payload.subject())
                .setBody(payload.message())
                .setAttachments(payload.attachments());
        if (payload.type() != null) {
            ticket.getDetails().put("eventType", payload.type());
        }
        if (payload.userId() != null && !payload.userId().equals(customerId)) {
            ticket.getDetails().put("customerRef", payload.userId());
        }
        return List.of(ticket.build());
    }

    /** What an event says, with the names its field errors use for the customer fields. */
    private record Payload(String type, String email, String phone, String userId, String name, String subject, String message,
                           List<Attachment> attachments, String emailField, String phoneField, String customerField,
                           String customerRequired) {
    }

    private static Payload standard(JsonNode event, FieldValidator fields) {
        String type = fields.required("type", JsonBody.text(event, "type", "type", fields), 200);
        JsonNode data = event.get("data");
        if (data == null || !data.isObject()) {
            fields.reject("data", "is required and must be an object");
            fields.throwIfInvalid();
        }
        JsonNode customer = data.get("customer");
        if (customer != null && !customer.isObject()) {
            fields.reject("data.customer", "must be an object");
            customer = null;
        }
        return new Payload(type,
                fields.optional("data.customer.email", JsonBody.text(customer, "email", "data.customer.email", fields), 254),
                fields.optional("data.customer.phone", JsonBody.text(customer, "phone", "data.customer.phone", fields), 32),
                fields.optional("data.customer.id", JsonBody.text(customer, "id", "data.customer.id", fields), 200),
                fields.optional("data.customer.name", JsonBody.text(customer, "name", "data.customer.name", fields), 200),
                fields.optional("data.subject", JsonBody.text(data, "subject", "data.subject", fields), 200),
                fields.required("data.message", JsonBody.text(data, "message", "data.message", fields), 10_000),
                attachments(data.get("attachments"), "data.attachments", fields),
                "data.customer.email", "data.customer.phone", "data.customer", "needs at least one of email, phone or id");
    }

    // Field errors name the source's own paths: the sender sees where its payload is wrong.
    private static Payload declared(JsonNode event, WebhookFields shape, FieldValidator fields) {
        String email = label(shape.customerEmail());
        String phone = label(shape.customerPhone());
        String id = label(shape.customerId());
        String customer = String.join(", ", Stream.of(email, phone, id).filter(Objects::nonNull).toList());
        return new Payload(
                fields.optional(label(shape.type()), text(shape.type(), event, fields, false), 200),
                fields.optional(email, text(shape.customerEmail(), event, fields, false), 254),
                fields.optional(phone, text(shape.customerPhone(), event, fields, false), 32),
                fields.optional(id, text(shape.customerId(), event, fields, true), 200),
                fields.optional(label(shape.customerName()), text(shape.customerName(), event, fields, false), 200),
                fields.optional(label(shape.subject()), text(shape.subject(), event, fields, false), 200),
                fields.required(label(shape.message()), text(shape.message(), event, fields, false), 10_000),
                attachments(shape.attachments() == null ? null : shape.attachments().read(event), label(shape.attachments()), fields),
                email, phone, customer, "at least one of these is required");
    }

    /** The text at a path; an integer too where {@code integerToo} (many senders number their users). */
    private static String text(WebhookFields.Path path, JsonNode event, FieldValidator fields, boolean integerToo) {
        JsonNode value = path == null ? null : path.read(event);
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isTextual()) {
            return value.textValue();
        }
        if (integerToo && value.isIntegralNumber()) {
            return value.asText();
        }
        fields.reject(label(path), integerToo ? "must be a string or an integer" : "must be a string");
        return null;
    }

    private static String label(WebhookFields.Path path) {
        return path == null ? null : path.text();
    }

    private static List<Attachment> attachments(JsonNode list, String field, FieldValidator fields) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            fields.reject(field, "must be an array");
            return List.of();
        }
        List<Attachment> attachments = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String path = field + "[" + i + "]";
            if (!item.isObject()) {
                fields.reject(path, "must be an object");
                continue;
            }
            String name = fields.required(path + ".name", JsonBody.text(item, "name", path + ".name", fields), 255);
            String type = fields.required(path + ".contentType", JsonBody.text(item, "contentType", path + ".contentType", fields), 255);
            String url = fields.optional(path + ".url", JsonBody.text(item, "url", path + ".url", fields), 2048);
            JsonNode size = item.get("sizeBytes");
            Long sizeBytes = null;
            if (size != null && !size.isNull()) {
                if (size.canConvertToLong() && size.isIntegralNumber() && size.longValue() >= 0) {
                    sizeBytes = size.longValue();
                } else {
                    fields.reject(path + ".sizeBytes", "must be a non-negative integer");
                }
            }
            if (name != null && type != null) {
                attachments.add(new Attachment(name, type, sizeBytes, url));
            }
        }
        return attachments;
    }
}
