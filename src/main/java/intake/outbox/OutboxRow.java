package intake.outbox;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/** One record waiting in the outbox: its row id and the Kafka record it becomes (headers already filtered). */
public record OutboxRow(long id, String topic, String key, byte[] value, Map<String, String> headers) {

    public ProducerRecord<String, byte[]> record() {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
        headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
        return record;
    }
}
