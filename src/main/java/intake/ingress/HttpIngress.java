package intake.ingress;

import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The first step of every HTTP channel: settles the correlation id, enforces the channel's body
 * limit and keeps the request's raw bytes and headers for the channel's audit topic.
 */
public class HttpIngress {

    /** Caller-supplied ids are echoed into logs and Kafka headers, so only a safe shape is kept. */
    private static final Pattern SAFE_CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

    private final Clock clock;

    public HttpIngress(Clock clock) {
        this.clock = clock;
    }

    public void open(Exchange exchange, String channel, long maxBodyBytes) {
        Message in = exchange.getIn();
        exchange.setProperty(IntakeExchange.CHANNEL, channel);
        exchange.setProperty(IntakeExchange.CORRELATION_ID, correlationId(in.getHeader(IntakeExchange.CORRELATION_HEADER, String.class)));

        Long declaredLength = in.getHeader("Content-Length", Long.class);
        if (declaredLength != null && declaredLength > maxBodyBytes) {
            throw IntakeRejection.tooLarge(maxBodyBytes);
        }
        byte[] body = in.getBody(byte[].class);
        if (body == null) {
            body = new byte[0];
        }
        if (body.length > maxBodyBytes) {
            throw IntakeRejection.tooLarge(maxBodyBytes);
        }
        in.setBody(body);
        exchange.setProperty(IntakeExchange.RAW, new RawPayload(body, originalHeaders(in), clock.instant()));
    }

    /** The id a caller sent in X-Correlation-ID, or a new one when it sent none or an unsafe one. */
    public static String correlationId(String requested) {
        if (requested != null && SAFE_CORRELATION_ID.matcher(requested).matches()) {
            return requested;
        }
        return UUID.randomUUID().toString();
    }

    /**
     * The HTTP headers as the servlet container received them, names lowercased as in HTTP/2.
     * Camel's message headers also hold form and query parameters, which are not headers and
     * must not be replayed as such.
     */
    private static Map<String, String> originalHeaders(Message in) {
        HttpServletRequest request = in.getHeader("CamelHttpServletRequest", HttpServletRequest.class);
        if (request == null) {
            throw new IllegalStateException("HttpIngress needs the servlet request of platform-http on Spring Boot");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", Collections.list(request.getHeaders(name))));
        }
        return headers;
    }
}
