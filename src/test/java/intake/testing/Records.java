package intake.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;

/** Reading Kafka records in assertions: headers as text, values as decoded tickets or agent outputs. */
public final class Records {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Records() {
    }

    public static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    public static TicketEvent ticket(ConsumerRecord<String, byte[]> record) {
        return TicketCodec.decode(record.value());
    }

    /** A ticket's bytes as Intake writes them: Avro single-object encoding. */
    public static byte[] bytes(TicketEvent ticket) {
        return TicketCodec.encode(ticket);
    }

    public static Predicate<ConsumerRecord<String, byte[]>> withHeader(String name, String value) {
        return record -> value.equals(header(record, name));
    }

    /** An agent output (decision, escalation, metrics: JSON with a ticketId) about the ticket. */
    public static Predicate<ConsumerRecord<String, byte[]>> aboutTicket(String ticketId) {
        return record -> {
            try {
                return ticketId.equals(JSON.readTree(record.value()).path("ticketId").asText());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The partition Kafka's default partitioner picks for a key: the same key, the same partition. */
    public static int partitionFor(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
