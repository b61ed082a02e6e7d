package intake.publish;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.HeaderFilterStrategy;

/**
 * The Kafka headers Intake's own records may carry, as an allowlist: {@code content-type},
 * CloudEvents' {@code ce_*} and Intake's {@code intake_*} (which includes the kept request headers,
 * {@code intake_http_*}). Set on the publishing endpoint, so even a header that reached a record's
 * Camel message by mistake is not sent; the outbox applies the same rule to what it stores and relays.
 */
public class RecordHeaderFilter implements HeaderFilterStrategy {

    /** Whether a header of this name may travel on one of Intake's records. */
    public static boolean allowed(String name) {
        return name != null && (name.equals(KafkaRecords.CONTENT_TYPE_HEADER) || name.startsWith("ce_") || name.startsWith("intake_"));
    }

    /** The headers of a record's Camel message that travel on the record, as text, in their order. */
    public static Map<String, String> recordHeaders(Message record) {
        Map<String, String> headers = new LinkedHashMap<>();
        record.getHeaders().forEach((name, value) -> {
            if (allowed(name) && value != null) {
                headers.put(name, value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString());
            }
        });
        return headers;
    }

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !allowed(headerName);
    }

    // The publishing endpoint never consumes.
    @Override
    public boolean applyFilterToExternalHeaders(String headerName, Object headerValue, Exchange exchange) {
        return true;
    }
}
