package intake.forensics;

import intake.agent.AgentRejectedTicketException;
import intake.consumer.PoisonPillException;
import intake.publish.KafkaRecords;
import intake.ticket.TicketExchange;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;

/**
 * Adds the forensics headers to a record bound for the dead-letter topic: where it came from,
 * what failed and why, so it can be debugged and replayed. They share the prefix {@code dlq_}
 * (camel-kafka drops headers that start with {@code kafka.} or {@code Camel}); the record keeps
 * its original key, value and headers.
 */
public class DeadLetterForensics {

    public static final String PREFIX = "dlq_";
    /** Bounded so one record stays far below the broker's message size limit. */
    static final int MAX_STACK_TRACE_CHARS = 8 * 1024;

    private final String consumerGroup;
    private final String instanceId;
    private final Clock clock;

    public DeadLetterForensics(String consumerGroup, String instanceId, Clock clock) {
        this.consumerGroup = consumerGroup;
        this.instanceId = instanceId;
        this.clock = clock;
    }

    public void enrich(Exchange exchange) {
        Message record = exchange.getIn();
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Throwable root = rootCause(failure);

        record.setHeader(PREFIX + "original_topic", text(record.getHeader(KafkaConstants.TOPIC)));
        record.setHeader(PREFIX + "original_partition", text(record.getHeader(KafkaConstants.PARTITION)));
        record.setHeader(PREFIX + "original_offset", text(record.getHeader(KafkaConstants.OFFSET)));
        Long timestamp = record.getHeader(KafkaConstants.TIMESTAMP, Long.class);
        if (timestamp != null) {
            record.setHeader(PREFIX + "original_timestamp", Instant.ofEpochMilli(timestamp).toString());
        }
        record.setHeader(PREFIX + "consumer_group", consumerGroup);
        record.setHeader(PREFIX + "reason", reason(failure));
        record.setHeader(PREFIX + "exception_class", failure == null ? "" : failure.getClass().getName());
        record.setHeader(PREFIX + "root_cause_class", root == null ? "" : root.getClass().getName());
        record.setHeader(PREFIX + "exception_message", failure == null || failure.getMessage() == null ? "" : failure.getMessage());
        record.setHeader(PREFIX + "stack_trace", stackTrace(failure));
        record.setHeader(PREFIX + "redelivery_count", text(exchange.getProperty(RedeliveryCounter.REDELIVERIES, 0, Integer.class)));
        record.setHeader(PREFIX + "routed_at", clock.instant().toString());
        record.setHeader(PREFIX + "route_id", text(exchange.getProperty(Exchange.FAILURE_ROUTE_ID)));
        record.setHeader(PREFIX + "correlation_id", text(record.getHeader(KafkaRecords.CORRELATION_ID_HEADER, String.class)));
        record.setHeader(PREFIX + "instance_id", instanceId);
        byte[] key = record.getHeader(KafkaConstants.KEY, byte[].class);
        if (key != null && !isUtf8(key)) {
            record.setHeader(PREFIX + "original_key_hex", HexFormat.of().formatHex(key));
        }
        // The dead-letter record keeps the original key and value, whatever the route made of the body.
        record.setHeader(KafkaConstants.KEY, key);
        byte[] value = exchange.getProperty(TicketExchange.RECORD_VALUE, byte[].class);
        if (value != null) {
            record.setBody(value);
        }
    }

    /** A machine-readable reason, also the tag of kafka_dlq_messages_total. */
    public static String reason(Throwable failure) {
        if (failure instanceof PoisonPillException) {
            return "poison_pill";
        }
        if (failure instanceof AgentRejectedTicketException) {
            return "agent_rejected";
        }
        return "retries_exhausted";
    }

    private static String stackTrace(Throwable failure) {
        if (failure == null) {
            return "";
        }
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        String text = trace.toString();
        return text.length() <= MAX_STACK_TRACE_CHARS ? text : text.substring(0, MAX_STACK_TRACE_CHARS) + "\n... (truncated)";
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable root = failure;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString();
    }
}
