package intake.ingress;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.ticket.StatusTokens;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every HTTP answer Intake gives: accepted, TwiML, and the JSON error body
 * {@code {"error","message","correlationId"}} (plus {@code fields} for 422). The request's own
 * headers are dropped first, so nothing a caller sent is echoed back; every answer says
 * {@code X-Content-Type-Options: nosniff}.
 */
public class HttpReplies {

    private static final Logger LOG = LoggerFactory.getLogger(HttpReplies.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMPTY_TWIML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";
    /** Seconds a caller should wait before retrying when the broker did not take the event. */
    private static final String RETRY_AFTER_SECONDS = "5";
    /** Browsers must not guess another type than the one given: a JSON answer never runs as HTML or script. */
    public static final String NOSNIFF_HEADER = "X-Content-Type-Options";
    public static final String NOSNIFF = "nosniff";

    private final StatusTokens statusTokens;

    /**
     * Replies whose 202 has no status URL: for a Kamelet's {@code beanType} where the runtime builds
     * it without a StatusTokens (under Spring Boot, Camel builds it through Spring, which takes the
     * other constructor, so there the 202 carries a status URL).
     */
    public HttpReplies() {
        this(null);
    }

    /** Replies whose 202 carries the ticket's status URL, signed by these tokens. */
    public HttpReplies(StatusTokens statusTokens) {
        this.statusTokens = statusTokens;
    }

    /** 202 with the ticket id, and its status URL when these replies have status tokens: the web form and signed webhooks. */
    public void accepted(Exchange exchange) {
        List<String> ticketIds = ticketIds(exchange);
        String ticketId = ticketIds.isEmpty() ? null : ticketIds.get(0);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ticketId", ticketId);
        body.put("correlationId", correlationId(exchange));
        if (statusTokens != null && ticketId != null) {
            body.put("statusUrl", statusTokens.statusUrl(ticketId));
        }
        json(exchange, 202, body);
    }

    /** 200 with the body (a map) as JSON. */
    @SuppressWarnings("unchecked")
    public void ok(Exchange exchange) {
        json(exchange, 200, exchange.getMessage().getBody(Map.class));
    }

    /** 200 with every ticket id: Meta expects a 200 and one call may carry several messages. */
    public void acknowledged(Exchange exchange) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ticketIds", ticketIds(exchange));
        body.put("correlationId", correlationId(exchange));
        json(exchange, 200, body);
    }

    /** 200 with an empty TwiML response: Twilio requires TwiML and an empty one sends no reply. */
    public void twiml(Exchange exchange) {
        Message out = reset(exchange, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "text/xml; charset=utf-8");
        out.setBody(EMPTY_TWIML);
    }

    /** 200 with the body as plain text: the answer to a verification handshake (Meta's hub.challenge). */
    public void text(Exchange exchange) {
        String text = exchange.getMessage().getBody(String.class);
        Message out = reset(exchange, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "text/plain; charset=utf-8");
        out.setBody(text);
    }

    // The error answers: which one a failure gets is the error policy's to say, in one place (the
    // onException clauses of routes/http-errors.camel.yaml; the Kamelets' doCatch clauses).

    /** The request's own fault (an IntakeRejection): its 4xx, or the 503 of an overloaded edge. */
    public void rejected(Exchange exchange) {
        IntakeRejection rejection = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, IntakeRejection.class);
        json(exchange, rejection.status(), errorBody(rejection, correlationId(exchange)));
    }

    /** 500 publish_refused: Kafka refused the event for good, nothing was stored. */
    public void refused(Exchange exchange) {
        LOG.error("Kafka refused the event of correlation id {} for good: {}", correlationId(exchange), caught(exchange).toString());
        json(exchange, 500, error(exchange, "publish_refused", "Intake cannot publish this event; nothing was accepted. Operators were alerted."));
    }

    /** 503 publish_unavailable with Retry-After: neither Kafka nor the outbox stored the event; a retry may succeed. */
    public void unavailable(Exchange exchange) {
        LOG.error("Neither Kafka nor the outbox stored the event of correlation id {}: {}", correlationId(exchange), caught(exchange).toString());
        json(exchange, 503, error(exchange, "publish_unavailable", "The event could not be stored; nothing was accepted. Retry later."));
        exchange.getMessage().setHeader("Retry-After", RETRY_AFTER_SECONDS);
    }

    /** 500 internal_error: anything else; logged with its stack trace. */
    public void failed(Exchange exchange) {
        LOG.error("Request of correlation id {} failed", correlationId(exchange), caught(exchange));
        json(exchange, 500, error(exchange, "internal_error", "Intake could not handle this request; nothing was accepted."));
    }

    /** The JSON error body of a rejection, also for answers written outside Camel. */
    public static byte[] errorJson(IntakeRejection rejection, String correlationId) {
        try {
            return JSON.writeValueAsBytes(errorBody(rejection, correlationId));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a JSON error", e);
        }
    }

    private static Map<String, Object> errorBody(IntakeRejection rejection, String correlationId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", rejection.error());
        body.put("message", rejection.getMessage());
        body.put("correlationId", correlationId);
        if (!rejection.fields().isEmpty()) {
            body.put("fields", rejection.fields());
        }
        return body;
    }

    private static Throwable caught(Exchange exchange) {
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }

    private static Map<String, Object> error(Exchange exchange, String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        body.put("correlationId", correlationId(exchange));
        return body;
    }

    private static void json(Exchange exchange, int status, Map<String, Object> body) {
        Message out = reset(exchange, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a JSON reply", e);
        }
    }

    private static Message reset(Exchange exchange, int status) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(IntakeExchange.CORRELATION_HEADER, correlationId(exchange));
        out.setHeader(NOSNIFF_HEADER, NOSNIFF);
        return out;
    }

    private static String correlationId(Exchange exchange) {
        String id = exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class);
        if (id == null) {
            // A rejection before HttpIngress ran still gets an id the caller can quote.
            id = HttpIngress.correlationId(exchange.getIn().getHeader(IntakeExchange.CORRELATION_HEADER, String.class));
            exchange.setProperty(IntakeExchange.CORRELATION_ID, id);
        }
        return id;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ticketIds(Exchange exchange) {
        List<String> ids = exchange.getProperty(IntakeExchange.TICKET_IDS, List.class);
        return ids == null ? List.of() : ids;
    }
}
