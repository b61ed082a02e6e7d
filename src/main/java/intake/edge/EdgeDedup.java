package intake.edge;

import intake.edge.EdgeDeliveries.Claim;
import intake.edge.EdgeDeliveries.Key;
import intake.ingress.IntakeExchange;
import intake.ingress.IntakeRejection;
import intake.ingress.RawPayload;
import intake.ticket.TicketEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge dedup step of route intake-dedup: a provider's retry (same webhook-id, MessageSid, wamid
 * or Message-ID), or a web form request repeating its Idempotency-Key, gets the original answer
 * and publishes nothing (ADR 0013). {@link #claim} runs before direct:accept, {@link #confirm}
 * after it succeeded and {@link #release} in any case, so a failed publish is never remembered.
 */
public class EdgeDedup {

    /** What {@link #claim} decided: {@link #NEW}, {@link #DUPLICATE} or {@link #UNAVAILABLE}. */
    public static final String DECISION = "intakeDedup";
    public static final String NEW = "new";
    public static final String DUPLICATE = "duplicate";
    /** The table could not be reached: the request is published undeduplicated (logged, counted by the route). */
    public static final String UNAVAILABLE = "unavailable";
    /** The web form's header (draft-ietf-httpapi-idempotency-key-header), as HttpIngress keeps it. */
    public static final String IDEMPOTENCY_KEY_HEADER = "idempotency-key";
    private static final String WEBFORM = "webform";
    /** A Structured Fields string ("...") or a bare token; logged and stored, so only a safe shape. */
    private static final Pattern KEY = Pattern.compile("\"([A-Za-z0-9._:/+=-]{1,128})\"|([A-Za-z0-9._:/+=-]{1,128})");
    private static final String CLAIMS = "intakeDedupClaims";
    private static final String ANSWER = "intakeDedupTicketIds";
    private static final Logger LOG = LoggerFactory.getLogger(EdgeDedup.class);

    private final EdgeDeliveries deliveries;
    private final Duration horizon;
    private final Clock clock;

    public EdgeDedup(EdgeDeliveries deliveries, Duration horizon, Clock clock) {
        this.deliveries = deliveries;
        this.horizon = horizon;
        this.clock = clock;
    }

    /**
     * Claims each message of the request (the body, a list of tickets). Leaves in the body only
     * the tickets to publish; when there are none left but some were seen, the exchange carries
     * the original answer (ticket ids and correlation id) and {@link #DECISION} is {@link #DUPLICATE}.
     *
     * @throws IntakeRejection 409 while another delivery of a message is being published, 422 for
     *                         an Idempotency-Key reused with another body, 400 for a malformed key
     */
    @SuppressWarnings("unchecked")
    public List<TicketEvent> claim(Exchange exchange) {
        List<TicketEvent> tickets = exchange.getIn().getBody(List.class);
        String channel = exchange.getProperty(IntakeExchange.CHANNEL, String.class);
        String correlationId = exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class);
        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        exchange.setProperty(DECISION, NEW);
        // The web form has no provider id: only a request with an Idempotency-Key is deduplicated.
        String idempotencyKey = WEBFORM.equals(channel) ? idempotencyKey(raw) : null;
        if (tickets.isEmpty() || (WEBFORM.equals(channel) && idempotencyKey == null)) {
            return tickets;
        }
        String fingerprint = idempotencyKey == null ? null : EdgeDeliveries.sha256(raw.bytes());
        String token = UUID.randomUUID().toString();
        List<Key> claimed = new ArrayList<>();
        exchange.setProperty(CLAIMS, new Claims(claimed, token));
        List<TicketEvent> toPublish = new ArrayList<>();
        List<String> answer = new ArrayList<>();
        String originalCorrelationId = null;
        try {
            for (TicketEvent ticket : tickets) {
                Key key = new Key(ticket.getChannel(), ticket.getSource(),
                        idempotencyKey != null ? idempotencyKey : ticket.getSourceMessageId());
                Claim claim = deliveries.claim(key, ticket.getTicketId().toString(), correlationId, fingerprint, token);
                switch (claim.outcome()) {
                    case CLAIMED -> {
                        claimed.add(key);
                        // a web form key taken over keeps the ticket id its first, unconfirmed claim may have published
                        toPublish.add(claim.ticketId().equals(ticket.getTicketId().toString()) ? ticket
                                : TicketEvent.newBuilder(ticket).setTicketId(UUID.fromString(claim.ticketId())).build());
                    }
                    case ANSWERED -> originalCorrelationId = originalCorrelationId == null ? claim.correlationId() : originalCorrelationId;
                    case IN_PROGRESS -> throw inProgress(key);
                    case KEY_REUSED -> throw keyReused();
                }
                answer.add(claim.ticketId());
            }
        } catch (IllegalStateException e) {
            release(exchange);
            // Not a reason to refuse a durable-able request: a duplicate the edge lets through
            // still has its provider's ticket id, and the consumer decides it once (ADR 0006).
            LOG.warn("Edge dedup unavailable, request of correlation id {} is published without it: {}", correlationId, e.getMessage());
            exchange.setProperty(DECISION, UNAVAILABLE);
            return tickets;
        } catch (IntakeRejection e) {
            release(exchange);
            throw e;
        }
        exchange.setProperty(ANSWER, List.copyOf(answer));
        if (toPublish.isEmpty()) {
            exchange.setProperty(DECISION, DUPLICATE);
            exchange.setProperty(IntakeExchange.TICKET_IDS, List.copyOf(answer));
            // the original answer, its correlation id included: it is the one the ticket carries
            exchange.setProperty(IntakeExchange.CORRELATION_ID, originalCorrelationId);
            LOG.info("Duplicate {} delivery of tickets {} (correlation id {}) answered as first accepted under correlation id {}",
                    channel, answer, correlationId, originalCorrelationId);
        } else if (toPublish.size() < tickets.size()) {
            LOG.info("{} of {} messages of {} request {} were seen before; only the new ones are published",
                    tickets.size() - toPublish.size(), tickets.size(), channel, correlationId);
        }
        return toPublish;
    }

    /** After direct:accept succeeded: the claims become answers. The reply lists every message of the request. */
    public void confirm(Exchange exchange) {
        Claims claims = exchange.getProperty(CLAIMS, Claims.class);
        if (claims != null) {
            for (Key key : claims.keys()) {
                try {
                    if (!deliveries.confirm(key, claims.token())) {
                        LOG.warn("Edge claim of {} ran out before its publish was confirmed; a retry may publish it again", key);
                    }
                } catch (IllegalStateException e) {
                    // The events are durable, so the request is accepted; the claim's lease runs out
                    // and a retry after it publishes again, with the same ticket id.
                    LOG.warn("Edge claim of {} could not be confirmed: {}", key, e.getMessage());
                }
            }
            exchange.removeProperty(CLAIMS);
        }
        List<?> answer = exchange.getProperty(ANSWER, List.class);
        if (answer != null) {
            exchange.setProperty(IntakeExchange.TICKET_IDS, answer);
        }
    }

    /** Whatever happened: claims not confirmed (the publish failed) are deleted, so the retry publishes. */
    public void release(Exchange exchange) {
        Claims claims = exchange.getProperty(CLAIMS, Claims.class);
        if (claims == null) {
            return;
        }
        exchange.removeProperty(CLAIMS);
        for (Key key : claims.keys()) {
            try {
                deliveries.release(key, claims.token());
            } catch (IllegalStateException e) {
                // the lease then frees it: until it runs out a retry is answered 409
                LOG.warn("Edge claim of {} could not be released: {}", key, e.getMessage());
            }
        }
    }

    /** Deletes the deliveries older than the horizon, on the schedule of route intake-dedup-purge. */
    public int purge() {
        int purged = deliveries.purgeOlderThan(clock.instant().minus(horizon));
        LOG.info("Purged {} edge deliveries older than {}", purged, horizon);
        return purged;
    }

    private static String idempotencyKey(RawPayload raw) {
        String value = raw.headers().get(IDEMPOTENCY_KEY_HEADER);
        if (value == null) {
            return null;
        }
        Matcher key = KEY.matcher(value.strip());
        if (!key.matches()) {
            throw new IntakeRejection(400, "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 128 characters of A-Z a-z 0-9 . _ : / + = -, optionally in double quotes, sent once");
        }
        return key.group(1) != null ? key.group(1) : key.group(2);
    }

    private static IntakeRejection inProgress(Key key) {
        return new IntakeRejection(409, "request_in_progress", "Another delivery of this message (" + key.messageId()
                + ") is being accepted right now; retry in a moment for its answer");
    }

    private static IntakeRejection keyReused() {
        return new IntakeRejection(422, "idempotency_key_reused",
                "This Idempotency-Key was already used with a different request body; use a new key for a new request");
    }

    private record Claims(List<Key> keys, String token) {
    }
}
