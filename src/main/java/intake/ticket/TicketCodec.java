package intake.ticket;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.message.BinaryMessageDecoder;

/**
 * A TicketEvent as it travels on Kafka: Avro single-object encoding (a marker, the schema's
 * fingerprint, then the binary record), so a reader knows which schema wrote each value. The one
 * codec of the ticket topic, for the records Intake writes and the ones it reads back.
 */
public final class TicketCodec {

    // Later schema versions register the older ones here (addSchema), so they keep reading them.
    private static final BinaryMessageDecoder<TicketEvent> DECODER = TicketEvent.getDecoder();

    private TicketCodec() {
    }

    public static byte[] encode(TicketEvent ticket) {
        try {
            ByteBuffer buffer = ticket.toByteBuffer();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot encode ticket " + ticket.getTicketId(), e);
        }
    }

    /**
     * The ticket these bytes encode.
     *
     * @throws IllegalArgumentException when they are not one: no marker, a fingerprint of no schema
     *                                  this version knows, truncated bytes
     */
    public static TicketEvent decode(byte[] value) {
        try {
            return DECODER.decode(ByteBuffer.wrap(value));
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("The record value is not a TicketEvent: " + e.getMessage(), e);
        }
    }
}
