package intake.testing;

import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;

/** Reading Kafka records in assertions: headers as text, values as decoded tickets. */
public final class Records {

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

    /** The partition Kafka's default partitioner picks for a key: the same key, the same partition. */
    public static int partitionFor(String key, int partitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }
}
