package intake.ticket;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.UUID;

/** Starts a {@link TicketEvent} with the id rules every channel shares. */
public final class Tickets {

    private Tickets() {
    }

    /**
     * A provider that retries (Twilio, Meta, a Standard Webhooks sender, an IMAP re-poll) sends the
     * same message id again; deriving the ticket id from it gives the retry the same ticket id, so
     * the idempotent consumer downstream processes it once.
     */
    public static UUID ticketId(String channel, String source, String sourceMessageId) {
        String name = channel + '\n' + source + '\n' + sourceMessageId;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    /** A builder with ids, channel, source and time set; the channel adds customer and content. */
    public static TicketEvent.Builder newTicket(String channel, String source, String sourceMessageId,
                                                String correlationId, Instant receivedAt) {
        return TicketEvent.newBuilder()
                .setTicketId(ticketId(channel, source, sourceMessageId))
                .setChannel(channel)
                .setSource(source)
                .setSourceMessageId(sourceMessageId)
                .setCorrelationId(correlationId)
                .setReceivedAt(receivedAt)
                .setAttachments(new ArrayList<>())
                .setDetails(new HashMap<>());
    }
}
