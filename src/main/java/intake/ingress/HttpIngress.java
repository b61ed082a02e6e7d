package intake.ingress;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
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
    // RequestBodyFilter already held to the same limit, under Camel Main the request's stream.
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
     * The channel's allowlisted HTTP headers as Camel's HTTP engine put them on the message, names
     * lowercased as in HTTP/2. Both platform-http engines (the servlet binding of Spring Boot and
     * Vert.x under Camel Main) add the query parameters to the message headers after the request's
     * headers, under the same case-insensitive names; the values a query parameter of a kept name
     * added are dropped again, so nothing from the URL is ever stored as a header.
     */
    private static Map<String, String> keptHeaders(Message in, String channel) {
        Map<String, Integer> fromQuery = QueryParameters.countByName(in.getHeader(Exchange.HTTP_QUERY, String.class));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : KeptRequestHeaders.of(channel)) {
            List<String> values = values(in.getHeader(name));
            int fromHeaders = values.size() - fromQuery.getOrDefault(name, 0);
            if (fromHeaders > 0) {
                headers.put(name, String.join(", ", values.subList(0, fromHeaders)));
            }
        }
        return headers;
    }

    private static List<String> values(Object header) {
        if (header == null) {
            return List.of();
        }
        if (header instanceof Collection<?> many) {
            return many.stream().map(String::valueOf).toList();
        }
        return List.of(header.toString());
    }
}
