package intake.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import intake.ticket.AgentDecision;
import intake.ticket.TicketEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** An HTTP agent service: POSTs the ticket as {@link TicketJson}, reads an {@link AgentDecision}; thread-safe. */
public final class HttpAgent implements Agent {

    // 2xx with a valid decision is the decision. 4xx other than 408 and 429 is a rejection: the
    // service refuses this ticket for good. 408, 429, 5xx, any other status, a timeout, a refused
    // connection, an I/O error and a malformed decision are transient: retried, then dead-lettered.
    // A valid answer holds category and priority (known values), escalate (boolean) and reply
    // (string); escalationReasons (strings) is optional, agent defaults to "http", ticketId and
    // customerId must be the ticket's own when present, and unknown fields are ignored so the
    // service can add some without breaking this side.

    /** The agent name when the service's answer names none, and in every failure. */
    public static final String NAME = "http";

    private static final int LONGEST_BODY_IN_MESSAGE = 300;
    // Trailing tokens fail: "{...} garbage" is a broken answer, not a decision.
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final URI url;
    private final String target;
    private final Duration timeout;
    private final String authorization;
    private final HttpClient client;

    /** Posts to {@code url} within {@code timeout} in all; a null or blank bearer token sends no Authorization. */
    public HttpAgent(URI url, Duration timeout, String bearerToken) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        boolean web = "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
        if (!url.isAbsolute() || !web || url.getHost() == null) {
            throw new IllegalArgumentException("The HTTP agent's URL must be an absolute http or https URL, was "
                    + redacted(url));
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("The HTTP agent's timeout must be positive, was " + timeout);
        }
        this.url = url;
        this.target = redacted(url);
        this.timeout = timeout;
        this.authorization = bearerToken == null || bearerToken.isBlank() ? null : "Bearer " + bearerToken.strip();
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                // HTTP/1.1: over plain http, HTTP/2 would first try an h2c upgrade, which some
                // proxies and servers mishandle; one small request per ticket gains nothing from it.
                .version(HttpClient.Version.HTTP_1_1)
                // A redirect means a misconfigured URL; following it would repost the ticket blindly.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration longestCall() {
        return timeout;
    }

    @Override
    public AgentDecision decide(TicketEvent ticket) {
        String ticketId = String.valueOf(ticket.getTicketId());
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody(ticket)));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response = exchange(request.build(), ticketId);
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return decision(response.body(), ticket, ticketId, status);
        }
        String reason = "HTTP " + status + " from " + target + bodyForMessage(response.body());
        if (status >= 400 && status < 500 && status != 408 && status != 429) {
            throw new AgentRejectedTicketException(NAME, ticketId, reason);
        }
        // 408, 429 and 5xx say "not now"; 1xx and 3xx are a misconfiguration that a fix of the
        // URL cures, so the ticket must stay replayable rather than count as unprocessable.
        throw new AgentUnavailableException(NAME, ticketId, reason);
    }

    private HttpResponse<String> exchange(HttpRequest request, String ticketId) {
        CompletableFuture<HttpResponse<String>> answer =
                client.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        try {
            // The request timeout covers the wait for the response headers only; this deadline
            // also bounds a body that trickles in, so a slow service cannot hold a consumer.
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new AgentUnavailableException(NAME, ticketId, "timed out after " + millis(timeout)
                    + " waiting for " + target, e);
        } catch (InterruptedException e) {
            answer.cancel(true);
            Thread.currentThread().interrupt();
            throw new AgentUnavailableException(NAME, ticketId, "interrupted while waiting for " + target, e);
        } catch (ExecutionException e) {
            throw failure(e.getCause(), ticketId);
        }
    }

    private AgentUnavailableException failure(Throwable cause, String ticketId) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new AgentUnavailableException(NAME, ticketId, "timed out after " + millis(timeout)
                    + " connecting to " + target, cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new AgentUnavailableException(NAME, ticketId, "timed out after " + millis(timeout)
                    + " waiting for " + target, cause);
        }
        if (cause instanceof ConnectException) {
            return new AgentUnavailableException(NAME, ticketId, "could not connect to " + target
                    + " (" + describe(cause) + ")", cause);
        }
        if (cause instanceof IOException) {
            return new AgentUnavailableException(NAME, ticketId, "I/O error talking to " + target
                    + " (" + describe(cause) + ")", cause);
        }
        return new AgentUnavailableException(NAME, ticketId, "the request to " + target + " failed ("
                + describe(cause) + ")", cause);
    }

    private AgentDecision decision(String body, TicketEvent ticket, String ticketId, int status) {
        JsonNode answer;
        try {
            answer = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw malformed(ticketId, status, "the answer is not valid JSON (" + e.getOriginalMessage() + ")"
                    + bodyForMessage(body));
        }
        if (answer == null || !answer.isObject()) {
            throw malformed(ticketId, status, "the answer is not a JSON object" + bodyForMessage(body));
        }
        String answeredTicket = optionalText(answer, "ticketId", ticketId, status);
        if (answeredTicket != null && !answeredTicket.equalsIgnoreCase(ticketId)) {
            throw malformed(ticketId, status, "the answer is for another ticket, " + answeredTicket);
        }
        String answeredCustomer = optionalText(answer, "customerId", ticketId, status);
        if (answeredCustomer != null && !answeredCustomer.equals(ticket.getCustomerId())) {
            throw malformed(ticketId, status, "the answer is for another customer");
        }
        String agent = optionalText(answer, "agent", ticketId, status);
        String category = oneOf(answer, "category", AgentDecision.CATEGORIES, ticketId, status);
        String priority = oneOf(answer, "priority", AgentDecision.PRIORITIES, ticketId, status);
        JsonNode escalate = answer.get("escalate");
        if (escalate == null || !escalate.isBoolean()) {
            throw malformed(ticketId, status, "'escalate' must be true or false, was " + escalate);
        }
        List<String> reasons = new ArrayList<>();
        JsonNode reasonsNode = answer.get("escalationReasons");
        if (reasonsNode != null && !reasonsNode.isNull()) {
            if (!reasonsNode.isArray()) {
                throw malformed(ticketId, status, "'escalationReasons' must be an array of strings");
            }
            for (JsonNode reason : reasonsNode) {
                if (!reason.isTextual()) {
                    throw malformed(ticketId, status, "'escalationReasons' must be an array of strings");
                }
                reasons.add(reason.textValue());
            }
        }
        String reply = optionalText(answer, "reply", ticketId, status);
        if (reply == null) {
            throw malformed(ticketId, status, "'reply' is missing");
        }
        return new AgentDecision(ticketId, ticket.getCustomerId(), agent == null || agent.isBlank() ? NAME : agent,
                category, priority, escalate.booleanValue(), reasons, reply);
    }

    private String oneOf(JsonNode answer, String field, List<String> known, String ticketId, int status) {
        String value = optionalText(answer, field, ticketId, status);
        if (value == null) {
            throw malformed(ticketId, status, "'" + field + "' is missing");
        }
        if (!known.contains(value)) {
            throw malformed(ticketId, status, "'" + field + "' must be one of " + known + ", was '"
                    + shortened(value) + "'");
        }
        return value;
    }

    private String optionalText(JsonNode answer, String field, String ticketId, int status) {
        JsonNode value = answer.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw malformed(ticketId, status, "'" + field + "' must be a string, was " + shortened(value.toString()));
        }
        return value.textValue();
    }

    /** A malformed answer is the agent service's bug, not the ticket's: transient, so it is retried. */
    private AgentUnavailableException malformed(String ticketId, int status, String reason) {
        return new AgentUnavailableException(NAME, ticketId, "malformed answer (HTTP " + status + ") from "
                + target + ": " + reason);
    }

    private static byte[] requestBody(TicketEvent ticket) {
        try {
            return JSON.writeValueAsBytes(TicketJson.toMap(ticket));
        } catch (JsonProcessingException e) {
            // Only strings, numbers, lists and maps go in; this would be a bug here.
            throw new IllegalStateException("Could not write ticket " + ticket.getTicketId() + " as JSON", e);
        }
    }

    private static String bodyForMessage(String body) {
        return body == null || body.isBlank() ? "" : ": " + shortened(body);
    }

    /** At most a few hundred characters on one line: messages end up in logs and DLQ headers. */
    private static String shortened(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        return line.length() <= LONGEST_BODY_IN_MESSAGE ? line : line.substring(0, LONGEST_BODY_IN_MESSAGE) + "...";
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getName()
                : cause.getClass().getSimpleName() + ": " + message;
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + " ms";
    }

    /** The URL without user info and query, which may carry credentials, for messages and logs. */
    private static String redacted(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme() + "://";
        String host = url.getHost() == null ? "" : url.getHost();
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return host.isEmpty() ? scheme + path : scheme + host + port + path;
    }
}
