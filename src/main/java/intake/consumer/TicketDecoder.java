package intake.consumer;

import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import org.apache.camel.Exchange;

/**
 * Decodes a record value into a {@link TicketEvent} ({@link TicketCodec}). A value that
 * is not one (no marker, a schema fingerprint this version does not know, truncated bytes) is a
 * poison pill: it goes to the dead-letter topic at once.
 */
public class TicketDecoder {

    public TicketEvent decode(Exchange exchange) {
        byte[] value = exchange.getIn().getBody(byte[].class);
        exchange.setProperty(TicketExchange.RECORD_VALUE, value);
        if (value == null) {
            throw new PoisonPillException("The record has no value", null);
        }
        TicketEvent ticket;
        try {
            ticket = TicketCodec.decode(value);
        } catch (IllegalArgumentException e) {
            throw new PoisonPillException(e.getMessage(), e.getCause());
        }
        exchange.setProperty(TicketExchange.TICKET, ticket);
        return ticket;
    }
}
