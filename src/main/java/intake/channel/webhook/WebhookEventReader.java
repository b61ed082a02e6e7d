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
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;

/**
 * Reads a verified Standard Webhooks event ({@code {"type", "data": {...}}}, see
 * docs/channels/webhooks.md) and makes its ticket; the webhook-id is the provider's message id.
 */
public class WebhookEventReader {

    public static final String CHANNEL = "webhook";

    public List<TicketEvent> read(Exchange exchange) {
        ContentTypes.require(exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class), ContentTypes.JSON);
        JsonNode event = JsonBody.parseObject(exchange.getIn().getBody(byte[].class));
        String source = exchange.getIn().getHeader("source", String.class);
        String webhookId = exchange.getIn().getHeader("webhook-id", String.class);

        FieldValidator fields = new FieldValidator();
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
        String email = fields.optional("data.customer.email", JsonBody.text(customer, "email", "data.customer.email", fields), 254);
        String phone = fields.optional("data.customer.phone", JsonBody.text(customer, "phone", "data.customer.phone", fields), 32);
        String userId = fields.optional("data.customer.id", JsonBody.text(customer, "id", "data.customer.id", fields), 200);
        String name = fields.optional("data.customer.name", JsonBody.text(customer, "name", "data.customer.name", fields), 200);
        String subject = fields.optional("data.subject", JsonBody.text(data, "subject", "data.subject", fields), 200);
        String message = fields.required("data.message", JsonBody.text(data, "message", "data.message", fields), 10_000);

        if (email != null && !CustomerIds.isEmail(email)) {
            fields.reject("data.customer.email", "must be a valid email address");
        }
        Optional<String> e164 = CustomerIds.fromPhone(phone);
        if (phone != null && e164.isEmpty()) {
            fields.reject("data.customer.phone", "must be a phone number in international format, e.g. +14155550100");
        }
        if (email == null && phone == null && userId == null && !fields.hasErrorFor("data.customer")) {
            fields.reject("data.customer", "needs at least one of email, phone or id");
        }
        List<Attachment> attachments = attachments(data.get("attachments"), fields);
        fields.throwIfInvalid();

        String customerId = email != null ? CustomerIds.fromEmail(email) : e164.orElse(userId);
        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        TicketEvent.Builder ticket = Tickets.newTicket(CHANNEL, source, webhookId,
                        exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class), raw.receivedAt())
                .setCustomerId(customerId)
                .setCustomerName(name)
                .setSubject(subject)
                .setBody(message)
                .setAttachments(attachments);
        ticket.getDetails().put("eventType", type);
        if (userId != null && !userId.equals(customerId)) {
            ticket.getDetails().put("customerRef", userId);
        }
        return List.of(ticket.build());
    }

    private static List<Attachment> attachments(JsonNode list, FieldValidator fields) {
        if (list == null || list.isNull()) {
            return List.of();
        }
        if (!list.isArray()) {
            fields.reject("data.attachments", "must be an array");
            return List.of();
        }
        List<Attachment> attachments = new java.util.ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            String path = "data.attachments[" + i + "]";
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
