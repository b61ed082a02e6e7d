package intake.publish;

import intake.ingress.IntakeRejection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Knows before a send whether Kafka takes a record's size (the producer's max.request.size, and its
 * topic's max.message.bytes as the broker last said). A request's batch is refused before any of it
 * is sent: sent, the broker would refuse that one record and take the others, a half-written
 * request. The relay quarantines such a row unsent: in a producer batch with good rows, the broker's
 * refusal would hold them all back too.
 */
public class RecordSizeLimit {

    /** Room a channel's limit leaves for the raw record's key, CloudEvents and kept headers, and framing. */
    public static final long HEADROOM = 16 * 1024;

    private final long maxRequestSize;
    private final TopicProvisioner topics;

    public RecordSizeLimit(long maxRequestSize, TopicProvisioner topics) {
        this.maxRequestSize = maxRequestSize;
        this.topics = topics;
    }

    /**
     * A channel's raw payload (a request's body, a whole mail) is one record: start-up refuses a
     * limit whose records the producer would refuse for ever, on every retry.
     */
    public static void requireBodyFits(String property, long maxBodyBytes, long maxRequestSize) {
        if (maxBodyBytes > maxRequestSize - HEADROOM) {
            throw new IllegalStateException(property + " (" + maxBodyBytes + ") must stay at least " + HEADROOM
                    + " bytes below camel.component.kafka.max-request-size (" + maxRequestSize
                    + "): each payload is published whole as one Kafka record");
        }
    }

    /** 413 when a record of the exchange's batch (a list of Kafka messages) could not be published. */
    @SuppressWarnings("unchecked")
    public void check(Exchange exchange) {
        for (Message record : (List<Message>) exchange.getIn().getBody(List.class)) {
            String key = record.getHeader(KafkaConstants.KEY, String.class);
            List<Header> headers = new ArrayList<>();
            RecordHeaderFilter.recordHeaders(record).forEach((name, text) ->
                    headers.add(new RecordHeader(name, text.getBytes(StandardCharsets.UTF_8))));
            if (tooLarge(new ProducerRecord<>(record.getHeader(KafkaRecords.TOPIC_HEADER, String.class), null, key,
                    record.getBody(byte[].class), headers)).isPresent()) {
                throw rejection();
            }
        }
    }

    /** Why Kafka would refuse the record for its size, or empty when it fits. */
    public Optional<RecordTooLargeException> tooLarge(ProducerRecord<String, byte[]> record) {
        long limit = Math.min(maxRequestSize, topics.maxMessageBytes(record.topic()).orElse(Integer.MAX_VALUE));
        // Uncompressed, as the producer counts for max.request.size; the broker counts compressed
        // bytes, so this may refuse a little early, never too late.
        long size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value(), record.headers().toArray());
        return size <= limit ? Optional.empty() : Optional.of(new RecordTooLargeException("The record is up to " + size
                + " bytes, more than " + record.topic() + " takes (" + limit + " bytes: max.request.size, or the topic's max.message.bytes)"));
    }

    /** The caller's answer when Kafka would refuse the event for its size. */
    static IntakeRejection rejection() {
        return new IntakeRejection(413, "payload_too_large",
                "The request is larger than Kafka accepts for one event; nothing was accepted");
    }
}
