package intake.config;

import intake.ingress.ContentTypes;
import intake.ingress.FormBody;
import intake.ingress.IntakeRejection;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BiConsumer;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Holds every request body of the public port to its channel's limit while it is read, before
 * Camel sees the request. camel-platform-http's Spring Boot binding reads a body whole into memory
 * while it builds the Camel message, before the first step of the route (it turns the stream into
 * a StreamCache, and a form body into headers), with no limit. So this filter, for a POST to a channel:
 * <ol>
 *   <li>refuses what the headers alone refuse, nothing read: an unknown webhook source (404), a
 *       missing signature header (401), a form where the channel takes none (415), a
 *       Content-Length over the limit (413);</li>
 *   <li>takes the body's bytes from the port's {@link RequestBodyBudget} (503 when they are not free),
 *       until the request is answered;</li>
 *   <li>reads at most the limit + 1 byte: 413 when over; for a form, 400 when it is not
 *       name=value pairs (the binding would fail with a bare 500);</li>
 *   <li>passes the same bytes on to Camel.</li>
 * </ol>
 * Every other request's body is never read: Camel gets an empty one. Answers are the channels' JSON
 * errors (FilterReplies). The routes check the same again (HttpIngress, the verifiers), as they must
 * where no such filter stands in front of them.
 */
public class RequestBodyFilter extends OncePerRequestFilter {

    /**
     * What one channel path takes.
     *
     * @param routeId       the channel's route, for the rejections counter
     * @param maxBodyBytes  the largest body read
     * @param takesForms    whether a form-urlencoded body is the channel's (else 415)
     * @param headersCheck  refuses what the headers alone refuse, with an IntakeRejection; the path is given for
     *                      paths with a variable part (the webhook source)
     */
    public record Channel(String routeId, long maxBodyBytes, boolean takesForms, BiConsumer<String, HttpServletRequest> headersCheck) {
    }

    private final Map<String, Channel> byPath;
    private final Map<String, Channel> byPathPrefix;
    private final RequestBodyBudget budget;
    private final MeterRegistry registry;
    private final String camelContext;

    /**
     * @param byPath       channels by exact path
     * @param byPathPrefix channels by path prefix (ending in '/'), for paths like /webhooks/{source}
     * @param budget       the bytes of bodies all requests may hold at once
     * @param registry     where refusals are counted, as the routes count theirs
     * @param camelContext the Camel context's name, which the routes' meters carry as a tag
     */
    RequestBodyFilter(Map<String, Channel> byPath, Map<String, Channel> byPathPrefix, RequestBodyBudget budget,
                      MeterRegistry registry, String camelContext) {
        this.byPath = Map.copyOf(byPath);
        this.byPathPrefix = Map.copyOf(byPathPrefix);
        this.budget = budget;
        this.registry = registry;
        this.camelContext = camelContext;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        // as the container resolved it (decoded, without ;parameters), which is what Spring maps to a route
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        Channel channel = "POST".equals(request.getMethod()) ? channel(path) : null;
        if (channel == null) {
            chain.doFilter(new CachedBodyRequest(request, new byte[0]), response);
            return;
        }
        int held = 0;
        try {
            byte[] body;
            try {
                boolean form = ContentTypes.FORM.equals(ContentTypes.mediaType(request.getContentType()));
                if (form && !channel.takesForms()) {
                    throw IntakeRejection.unsupportedMediaType(request.getContentType(), ContentTypes.JSON);
                }
                channel.headersCheck().accept(path, request);
                long declared = request.getContentLengthLong();
                if (declared > channel.maxBodyBytes()) {
                    throw IntakeRejection.tooLarge(channel.maxBodyBytes());
                }
                // a declared length is the body's (HTTP's framing); a chunked body holds the limit + 1 until it is read
                int limit = Math.toIntExact(channel.maxBodyBytes() + 1);
                int toHold = declared >= 0 ? (int) declared : limit;
                budget.take(toHold);
                held = toHold;
                body = request.getInputStream().readNBytes(limit);
                budget.give(held - body.length);
                held = body.length;
                if (body.length > channel.maxBodyBytes()) {
                    throw IntakeRejection.tooLarge(channel.maxBodyBytes());
                }
                if (form) {
                    checkPairs(body);
                }
            } catch (IntakeRejection rejection) {
                // the meter the routes' micrometer: endpoints make, with the same tags (Prometheus needs the same keys)
                registry.counter("intake.requests.rejected", "camelContext", camelContext, "route", channel.routeId(),
                        "status", Integer.toString(rejection.status())).increment();
                if (rejection.status() == 503) {
                    response.setHeader("Retry-After", ServingGate.RETRY_AFTER_SECONDS);
                }
                FilterReplies.reject(request, response, rejection);
                return;
            }
            chain.doFilter(new CachedBodyRequest(request, body), response);
        } finally {
            // the request is answered: the route ran on this thread (PublicPortFilters), and its copies of the body are garbage
            budget.give(held);
        }
    }

    private Channel channel(String path) {
        Channel exact = byPath.get(path);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, Channel> prefix : byPathPrefix.entrySet()) {
            if (path.startsWith(prefix.getKey()) && path.indexOf('/', prefix.getKey().length()) < 0) {
                return prefix.getValue();
            }
        }
        return null;
    }

    /** Every '&'-separated segment must be name=value with valid percent escapes. */
    private static void checkPairs(byte[] body) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        if (text.isEmpty()) {
            return;
        }
        String[] segments = text.split("&", -1);
        for (int i = 0; i < segments.length; i++) {
            if (segments[i].indexOf('=') < 0) {
                throw IntakeRejection.malformed("Form parameter " + (i + 1) + " is not a name=value pair");
            }
        }
        FormBody.parse(body);
    }

    /** The request with its body already read, so Camel can read it once more. */
    private static final class CachedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        CachedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("The body is already read");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() throws UnsupportedEncodingException {
            String charset = getCharacterEncoding() == null ? StandardCharsets.UTF_8.name() : getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
