package intake.config;

import intake.ingress.ContentTypes;
import intake.ingress.FormBody;
import intake.ingress.HttpIngress;
import intake.ingress.HttpReplies;
import intake.ingress.IntakeExchange;
import intake.ingress.IntakeRejection;
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
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 400 to a form-urlencoded POST whose body is not a list of name=value pairs, and 413 to
 * one over the limit, before Camel sees it. camel-platform-http's Spring Boot binding copies form
 * fields into headers while it reads the request and fails with a 500 on a segment without '='
 * or a bad percent escape, before any route could answer; the JSON error must come from here.
 */
public class FormBodyFilter extends OncePerRequestFilter {

    private final long maxBodyBytes;

    public FormBodyFilter(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod())
                || !ContentTypes.FORM.equals(ContentTypes.mediaType(request.getContentType()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        byte[] body = readAtMost(request.getInputStream(), maxBodyBytes + 1);
        try {
            if (body.length > maxBodyBytes) {
                throw IntakeRejection.tooLarge(maxBodyBytes);
            }
            checkPairs(body);
        } catch (IntakeRejection rejection) {
            String correlationId = HttpIngress.correlationId(request.getHeader(IntakeExchange.CORRELATION_HEADER));
            response.setStatus(rejection.status());
            response.setContentType("application/json");
            response.setHeader(IntakeExchange.CORRELATION_HEADER, correlationId);
            response.setHeader(HttpReplies.NOSNIFF_HEADER, HttpReplies.NOSNIFF);
            response.getOutputStream().write(HttpReplies.errorJson(rejection, correlationId));
            return;
        }
        chain.doFilter(new CachedBodyRequest(request, body), response);
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

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        return in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
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
