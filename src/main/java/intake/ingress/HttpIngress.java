package intake.ingress;

import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

/**
 * The first step of every HTTP channel: settles the correlation id, reads the body within the
 * channel's limit and keeps the raw bytes and the channel's allowlisted headers for its audit topic.
 */
public class HttpIngress {

    /** Caller-supplied ids are echoed into logs and Kafka headers, so only a safe shape is kept. */
    private static final Pattern SAFE_CORRELATION_ID = Pattern.compile("[A-Za-z0-9._:/+=-]{1,128}");

    private final Clock clock;

    public HttpIngress(Clock clock) {
        this.clock = clock;
    }

    /**
     * Reads the body, at most {@code maxBodyBytes}: a declared length over the limit is refused
     * before a byte is read, and a body without one (chunked) is cut at the limit + 1 byte.
     *
     * @throws IntakeRejection 413 when the body is over the limit
     */
    public void open(Exchange exchange, String channel, long maxBodyBytes) {
        Message in = exchange.getIn();
        exchange.setProperty(IntakeExchange.CHANNEL, channel);
        exchange.setProperty(IntakeExchange.CORRELATION_ID, correlationId(in.getHeader(IntakeExchange.CORRELATION_HEADER, String.class)));

        Long declaredLength = in.getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (declaredLength != null && declaredLength > maxBodyBytes) {
            throw IntakeRejection.tooLarge(maxBodyBytes);
        }
        byte[] body = readAtMost(in, maxBodyBytes + 1);
        if (body.length > maxBodyBytes) {
            throw IntakeRejection.tooLarge(maxBodyBytes);
        }
        in.setBody(body);
        exchange.setProperty(IntakeExchange.RAW, new RawPayload(body, keptHeaders(in, channel), clock.instant()));
    }

    /** The id a caller sent in X-Correlation-ID, or a new one when it sent none or an unsafe one. */
    public static String correlationId(String requested) {
        if (requested != null && SAFE_CORRELATION_ID.matcher(requested).matches()) {
            return requested;
        }
        return UUID.randomUUID().toString();
    }

    // Reads at most the limit + 1 byte of whatever the runtime gives: on Spring Boot the bytes
    // RequestBodyFilter already held to the same limit, elsewhere the request's stream.
    private static byte[] readAtMost(Message in, long limit) {
        Object body = in.getBody();
        if (body == null) {
            return new byte[0];
        }
        if (body instanceof byte[] bytes) {
            return bytes;
        }
        try (InputStream stream = in.getBody(InputStream.class)) {
            return stream == null ? new byte[0] : stream.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the request body", e);
        }
    }

    /**
     * The channel's allowlisted HTTP headers as the servlet container received them, names
     * lowercased as in HTTP/2. Camel's message headers also hold query parameters, which are not
     * headers and must not be stored as such.
     */
    private static Map<String, String> keptHeaders(Message in, String channel) {
        HttpServletRequest request = in.getHeader("CamelHttpServletRequest", HttpServletRequest.class);
        if (request == null) {
            throw new IllegalStateException("HttpIngress needs the servlet request of platform-http on Spring Boot");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : KeptRequestHeaders.of(channel)) {
            Enumeration<String> values = request.getHeaders(name);
            if (values != null && values.hasMoreElements()) {
                headers.put(name, String.join(", ", Collections.list(values)));
            }
        }
        return headers;
    }
}
