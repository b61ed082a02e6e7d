package intake.consumer;

import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.camel.Exchange;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.DataFormatName;
import org.apache.camel.support.service.ServiceSupport;

/**
 * The tickets topic's Camel data format (bean {@value #NAME}, {@code unmarshal: custom: ticketEvent}):
 * a record value to a {@link TicketEvent} and back, through the one {@link TicketCodec} (Avro
 * single-object encoding). A value that is not a TicketEvent this version can read (no value, no
 * marker, a schema fingerprint it does not know, truncated bytes) is a poison pill: it fails with
 * {@link PoisonPillException}, which the consumer's error policy dead-letters at once.
 *
 * <p>It lives with the consumer, not with the ticket, because its failure is the consumer's
 * classification: the ticket package cannot know the consumer's exceptions (docs/adr/0017).
 */
public class TicketDataFormat extends ServiceSupport implements DataFormat, DataFormatName {

    public static final String NAME = "ticketEvent";

    @Override
    public String getDataFormatName() {
        return NAME;
    }

    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) throws Exception {
        TicketEvent ticket = exchange.getContext().getTypeConverter().mandatoryConvertTo(TicketEvent.class, exchange, graph);
        stream.write(TicketCodec.encode(ticket));
    }

    @Override
    public Object unmarshal(Exchange exchange, InputStream stream) throws Exception {
        return read(stream.readAllBytes());
    }

    // Camel hands over the body itself when it is not a stream: the consumer's value is a byte[]
    // already (no stream around it), and a record without one (null) is a poison pill, not an NPE.
    @Override
    public Object unmarshal(Exchange exchange, Object body) throws Exception {
        if (body == null || body instanceof byte[]) {
            return read((byte[]) body);
        }
        return read(exchange.getContext().getTypeConverter().mandatoryConvertTo(byte[].class, exchange, body));
    }

    /**
     * The ticket a record value encodes; what the route's unmarshal and the consumer's batches
     * (which decode without a route step) both read with.
     *
     * @throws PoisonPillException when the value is not one
     */
    public TicketEvent read(byte[] value) {
        if (value == null) {
            throw new PoisonPillException("The record has no value", null);
        }
        try {
            return TicketCodec.decode(value);
        } catch (IllegalArgumentException e) {
            throw new PoisonPillException(e.getMessage(), e.getCause());
        }
    }
}
