package intake.consumer;

import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.camel.Exchange;

/**
 * Decodes a record value (Avro single-object encoding) into a {@link TicketEvent}. A value that
 * is not one (no marker, a schema fingerprint this version does not know, truncated bytes) is a
 * poison pill: it goes to the dead-letter topic at once.
 */
public class TicketDecoder {

    // Later schema versions register the older ones here (decoder.addSchema), so they keep reading them.
    private final BinaryMessageDecoder<TicketEvent> decoder = TicketEvent.getDecoder();

    public TicketEvent decode(Exchange exchange) {
        byte[] value = exchange.getIn().getBody(byte[].class);
        exchange.setProperty(TicketExchange.RECORD_VALUE, value);
        if (value == null) {
            throw new PoisonPillException("The record has no value", null);
        }
        TicketEvent ticket;
        try {
            ticket = decoder.decode(ByteBuffer.wrap(value));
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new PoisonPillException("The record value is not a TicketEvent: " + e.getMessage(), e);
        }
        exchange.setProperty(TicketExchange.TICKET, ticket);
        return ticket;
    }
}
