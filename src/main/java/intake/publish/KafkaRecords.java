package intake.publish;

import intake.ingress.IntakeExchange;
import intake.ingress.KeptRequestHeaders;
import intake.ingress.RawPayload;
import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * Turns one accepted request into the Kafka records it publishes: the raw payload on its
 * channel's audit topic and each ticket, Avro single-object encoded, on the tickets topic. Every
 * record carries CloudEvents binary-mode headers and the correlation id. camel-kafka sends a list
 * of messages as one exchange and completes it once the broker acknowledged every record.
 */
public class KafkaRecords {

    public static final String CORRELATION_ID_HEADER = "intake_correlation_id";
    /** What the record's value is: Avro for a ticket, the request's media type for a raw payload. */
    public static final String CONTENT_TYPE_HEADER = "content-type";
    /**
     * The record's topic, kept for the outbox: camel-kafka consumes its override-topic header while
     * sending, so a send that failed no longer has it. The Camel prefix keeps it off the record.
     */
    public static final String TOPIC_HEADER = "CamelIntakeTopic";
    static final String TICKET_TYPE = "dev.intake.ticket.received.v1";
    static final String PAYLOAD_TYPE = "dev.intake.channel.payload.received.v1";

    private final Topics topics;

    public KafkaRecords(Topics topics) {
        this.topics = topics;
    }

    @SuppressWarnings("unchecked")
    public List<Message> build(Exchange exchange) {
        String channel = exchange.getProperty(IntakeExchange.CHANNEL, String.class);
        String correlationId = exchange.getProperty(IntakeExchange.CORRELATION_ID, String.class);
        RawPayload raw = exchange.getProperty(IntakeExchange.RAW, RawPayload.class);
        List<TicketEvent> tickets = exchange.getIn().getBody(List.class);

        List<Message> records = new ArrayList<>(tickets.size() + 1);
        String firstCustomer = tickets.isEmpty() ? null : tickets.get(0).getCustomerId();
        records.add(rawRecord(exchange, channel, correlationId, raw, firstCustomer));
        List<String> ticketIds = new ArrayList<>(tickets.size());
        for (TicketEvent ticket : tickets) {
            records.add(ticketRecord(exchange, ticket));
            ticketIds.add(ticket.getTicketId().toString());
        }
        exchange.setProperty(IntakeExchange.TICKET_IDS, List.copyOf(ticketIds));
        return records;
    }

    // The request's kept headers go under a prefix of their own (KeptRequestHeaders): no name a
    // caller sends can be one camel-kafka reads as the record's topic, key, partition or timestamp.
    private Message rawRecord(Exchange exchange, String channel, String correlationId, RawPayload raw, String key) {
        Message record = newRecord(exchange, topics.inbound(channel), key);
        raw.headers().forEach((name, value) -> record.setHeader(KeptRequestHeaders.RECORD_PREFIX + name, value));
        String contentType = raw.headers().get("content-type");
        if (contentType != null) {
            record.setHeader(CONTENT_TYPE_HEADER, contentType);
        }
        cloudEvent(record, UUID.randomUUID().toString(), PAYLOAD_TYPE, "/intake/" + channel, key, raw.receivedAt().toString());
        record.setHeader(CORRELATION_ID_HEADER, correlationId);
        record.setBody(raw.bytes());
        return record;
    }

    private Message ticketRecord(Exchange exchange, TicketEvent ticket) {
        Message record = newRecord(exchange, topics.tickets(), ticket.getCustomerId());
        cloudEvent(record, ticket.getTicketId().toString(), TICKET_TYPE, "/intake/" + ticket.getChannel() + "/" + ticket.getSource(),
                ticket.getCustomerId(), ticket.getReceivedAt().toString());
        record.setHeader(CONTENT_TYPE_HEADER, "application/avro");
        record.setHeader(CORRELATION_ID_HEADER, ticket.getCorrelationId());
        record.setBody(TicketCodec.encode(ticket));
        return record;
    }

    /** An empty record for one of the batch's topics, keyed (or not, when the key is null). */
    public static Message newRecord(Exchange exchange, String topic, String key) {
        Message record = new DefaultMessage(exchange);
        record.setHeader(KafkaConstants.OVERRIDE_TOPIC, topic);
        record.setHeader(TOPIC_HEADER, topic);
        if (key != null) {
            record.setHeader(KafkaConstants.KEY, key);
        }
        return record;
    }

    private static void cloudEvent(Message record, String id, String type, String source, String subject, String time) {
        record.setHeader("ce_specversion", "1.0");
        record.setHeader("ce_id", id);
        record.setHeader("ce_type", type);
        record.setHeader("ce_source", source);
        if (subject != null) {
            record.setHeader("ce_subject", subject);
        }
        record.setHeader("ce_time", time);
    }
}
