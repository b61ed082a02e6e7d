package intake.channel.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.InvalidPathException;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import java.util.Map;

/**
 * Where one webhook source's payload keeps each ticket field, for a sender whose events are not in
 * the Standard Webhooks shape: one JSONPath per field, each pointing at one value, compiled once at
 * start-up (docs/channels/webhooks.md#other-payload-shapes). A field without a path is absent.
 * The paths are read from the tree the reader parsed once (Jayway's json-path on Jackson), not
 * with Camel's jsonpath language, which would parse the body again for every field.
 */
public record WebhookFields(Path type, Path customerEmail, Path customerPhone, Path customerId,
                            Path customerName, Path subject, Path message, Path attachments) {

    /** One field's path, as configured (what field errors name) and compiled. */
    public record Path(String text, JsonPath compiled) {

        /** The value here, null when the event has none. */
        JsonNode read(JsonNode event) {
            Object value = compiled.read(event, ON_JACKSON);
            // the Jackson provider answers with the tree's own nodes; a plain value (a String, a Number) becomes one
            return value == null || value instanceof JsonNode ? (JsonNode) value : JSON.valueToTree(value);
        }
    }

    /** The field names as configured (intake.channels.webhooks.sources.&lt;name&gt;.fields.&lt;field&gt;). */
    public static final String TYPE = "type";
    public static final String CUSTOMER_EMAIL = "customer-email";
    public static final String CUSTOMER_PHONE = "customer-phone";
    public static final String CUSTOMER_ID = "customer-id";
    public static final String CUSTOMER_NAME = "customer-name";
    public static final String SUBJECT = "subject";
    public static final String MESSAGE = "message";
    public static final String ATTACHMENTS = "attachments";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration ON_JACKSON = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider()).mappingProvider(new JacksonMappingProvider())
            .options(Option.SUPPRESS_EXCEPTIONS).build();

    /**
     * Compiles a source's paths by field name; refuses, naming the property, a path that is not
     * JSONPath or may point at several values, and a shape without the message or any customer id.
     *
     * @param property the source's fields property, e.g. intake.channels.webhooks.sources.shop.fields
     */
    public static WebhookFields compile(String property, Map<String, String> paths) {
        WebhookFields fields = new WebhookFields(path(property, TYPE, paths), path(property, CUSTOMER_EMAIL, paths),
                path(property, CUSTOMER_PHONE, paths), path(property, CUSTOMER_ID, paths), path(property, CUSTOMER_NAME, paths),
                path(property, SUBJECT, paths), path(property, MESSAGE, paths), path(property, ATTACHMENTS, paths));
        if (fields.message() == null) {
            throw new IllegalStateException(property + "." + MESSAGE + " is required: the path of the customer's message");
        }
        if (fields.customerEmail() == null && fields.customerPhone() == null && fields.customerId() == null) {
            throw new IllegalStateException(property + " needs at least one of " + CUSTOMER_EMAIL + ", " + CUSTOMER_PHONE
                    + " and " + CUSTOMER_ID + ": the path of the customer's email, phone number or id");
        }
        return fields;
    }

    private static Path path(String property, String field, Map<String, String> paths) {
        String path = paths.get(field) == null ? "" : paths.get(field).trim();
        if (path.isEmpty()) {
            return null;
        }
        JsonPath compiled;
        try {
            compiled = JsonPath.compile(path);
        } catch (InvalidPathException e) {
            throw new IllegalStateException(property + "." + field + " '" + path + "' is not a JSONPath: " + e.getMessage(), e);
        }
        if (!compiled.isDefinite()) {
            throw new IllegalStateException(property + "." + field + " '" + path + "' may point at several values"
                    + " (a wildcard, a filter or a deep scan): it must point at one, e.g. $.data.text");
        }
        return new Path(path, compiled);
    }
}
