package intake.consumer;

import static intake.testing.Records.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.TestKafka;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import intake.wiring.RouteBeans;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The consumer side with the built-in triage agent, on the real broker and PostgreSQL. */
class TicketProcessingTest extends IntakeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TICKETS = "fte.tickets.incoming";
    private static final String DECISIONS = "fte.agent.decisions";

    @Autowired
    CamelContext camelContext;

    @Autowired
    RouteBeans routeBeans;

    @Test
    void formTicketIsDecidedStoredAndReadableByItsId() throws Exception {
        HttpResponse<String> accepted = Http.post(url("/forms/support"), "application/json", """
                {"name":"Ada","email":"ada.processing@example.com","subject":"Refund please",
                 "message":"I want my money back, this is unacceptable. My lawyer will hear of it."}""");
        String ticketId = JSON.readTree(accepted.body()).get("ticketId").asText();
        String statusUrl = JSON.readTree(accepted.body()).get("statusUrl").asText();

        JsonNode decision = JSON.readTree(kafka.awaitRecords(DECISIONS, r -> json(r).path("ticketId").asText().equals(ticketId), 1).get(0).value());
        assertThat(decision.get("agent").asText()).isEqualTo("triage");
        assertThat(decision.get("escalate").asBoolean()).isTrue();
        assertThat(decision.get("escalationReasons").toString()).contains("legal_threat", "refund_or_cancellation");
        assertThat(decision.get("priority").asText()).isEqualTo("urgent");

        ConsumerRecord<String, byte[]> escalation = kafka.awaitRecords("fte.escalations", r -> json(r).path("ticketId").asText().equals(ticketId), 1).get(0);
        assertThat(escalation.key()).isEqualTo("ada.processing@example.com");
        JsonNode metrics = JSON.readTree(kafka.awaitRecords("fte.metrics.agent", r -> json(r).path("ticketId").asText().equals(ticketId), 1).get(0).value());
        assertThat(metrics.get("outcome").asText()).isEqualTo("escalated");
        assertThat(metrics.get("latencyMs").asLong()).isGreaterThanOrEqualTo(0);

        HttpResponse<String> status = Http.get(url(statusUrl));
        assertThat(status.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(status.body());
        assertThat(body.get("status").asText()).isEqualTo("processed");
        assertThat(body.get("escalated").asBoolean()).isTrue();
        assertThat(body.get("reply").asText()).contains(ticketId);
    }

    @Test
    void aTicketPublishedTwiceOrRedeliveredAfterACrashReachesTheAgentOnce() throws Exception {
        TicketEvent ticket = ticket("twice@example.com", "Where is my parcel?");
        byte[] key = ticket.getCustomerId().getBytes(StandardCharsets.UTF_8);
        String ticketId = ticket.getTicketId().toString();

        double duplicatesBefore = metric("kafka_messages_processed_total", "status=\"duplicate\"");
        RecordMetadata first = kafka.send(TICKETS, key, Records.bytes(ticket), Map.of());
        RecordMetadata second = kafka.send(TICKETS, key, Records.bytes(ticket), Map.of());
        TopicPartition partition = new TopicPartition(TICKETS, second.partition());
        awaitCommittedPast(partition, second.offset());
        assertThat(metric("kafka_messages_processed_total", "status=\"duplicate\"")).isGreaterThanOrEqualTo(duplicatesBefore + 1);

        // A crash before the commit: the group's offset goes back, so both records are read again.
        camelContext.getRouteController().stopRoute("tickets-consume");
        try (Admin admin = admin()) {
            admin.alterConsumerGroupOffsets("intake-agent", Map.of(partition, new OffsetAndMetadata(first.offset()))).all().get();
        }
        double duplicatesBeforeRedelivery = metric("kafka_messages_processed_total", "status=\"duplicate\"");
        camelContext.getRouteController().startRoute("tickets-consume");
        awaitCommittedPast(partition, second.offset());

        assertThat(metric("kafka_messages_processed_total", "status=\"duplicate\"")).isGreaterThanOrEqualTo(duplicatesBeforeRedelivery + 2);
        List<ConsumerRecord<String, byte[]>> decisions = kafka.readAll(DECISIONS).stream()
                .filter(r -> json(r).path("ticketId").asText().equals(ticketId)).toList();
        assertThat(decisions).hasSize(1);
    }

    @Test
    void aPollsTicketsArePublishedAsRoundsOnTheirOwnProducerNeverAsCallsOfTheEdgesBreaker() throws Exception {
        AtomicInteger breakerCalls = new AtomicInteger();
        routeBeans.kafkaCircuitBreaker().getEventPublisher().onSuccess(e -> breakerCalls.incrementAndGet()).onError(e -> breakerCalls.incrementAndGet());
        List<String> ticketIds = new ArrayList<>();
        RecordMetadata last = null;
        for (int i = 0; i < 60; i++) {
            TicketEvent ticket = ticket("rounds." + (i % 7) + "@example.com", "Where is my parcel " + i + "?");
            ticketIds.add(ticket.getTicketId().toString());
            last = kafka.send(TICKETS, ticket.getCustomerId().getBytes(StandardCharsets.UTF_8), Records.bytes(ticket), Map.of());
        }

        List<ConsumerRecord<String, byte[]>> decisions = kafka.awaitRecords(DECISIONS,
                r -> ticketIds.contains(json(r).path("ticketId").asText()), ticketIds.size());
        assertThat(decisions).extracting(r -> json(r).path("ticketId").asText()).containsExactlyInAnyOrderElementsOf(ticketIds);
        awaitCommittedPast(new TopicPartition(TICKETS, last.partition()), last.offset());
        // the edge's breaker (and its 1 s request bound) judges the edge's sends only
        assertThat(breakerCalls).hasValue(0);
    }

    @Test
    void garbageAndUnknownSchemaGoToTheDeadLetterTopicWithForensicsAndTheNextRecordIsProcessed() throws Exception {
        byte[] garbage = "not avro at all".getBytes(StandardCharsets.UTF_8);
        byte[] unknownSchema = ByteBuffer.allocate(14).put((byte) 0xC3).put((byte) 0x01).putLong(0x1234_5678_9ABC_DEF0L)
                .put(new byte[] {2, 4, 6, 8}).array();
        byte[] binaryKey = {(byte) 0xFF, (byte) 0xFE, 0x00, 0x41};
        var garbageMeta = kafka.send(TICKETS, binaryKey, garbage, Map.of("intake_correlation_id", "poison-1"));
        kafka.send(TICKETS, "unknown@example.com".getBytes(StandardCharsets.UTF_8), unknownSchema, Map.of("intake_correlation_id", "poison-2"));
        TicketEvent next = ticket("after.poison@example.com", "Still there?");
        kafka.send(TICKETS, next.getCustomerId().getBytes(StandardCharsets.UTF_8), Records.bytes(next), Map.of());

        ConsumerRecord<String, byte[]> dead = kafka.awaitRecords("fte.dlq", Records.withHeader("dlq_correlation_id", "poison-1"), 1).get(0);
        assertThat(dead.value()).isEqualTo(garbage);
        assertThat(header(dead, "intake_correlation_id")).isEqualTo("poison-1");
        assertThat(header(dead, "dlq_original_topic")).isEqualTo(TICKETS);
        assertThat(header(dead, "dlq_original_partition")).isEqualTo(Integer.toString(garbageMeta.partition()));
        assertThat(header(dead, "dlq_original_offset")).isEqualTo(Long.toString(garbageMeta.offset()));
        assertThat(Instant.parse(header(dead, "dlq_original_timestamp"))).isNotNull();
        assertThat(header(dead, "dlq_consumer_group")).isEqualTo("intake-agent");
        assertThat(header(dead, "dlq_exception_class")).isEqualTo(PoisonPillException.class.getName());
        assertThat(header(dead, "dlq_root_cause_class")).isNotBlank();
        assertThat(header(dead, "dlq_exception_message")).contains("not a TicketEvent");
        assertThat(header(dead, "dlq_stack_trace")).contains("TicketDataFormat.unmarshal");
        assertThat(header(dead, "dlq_reason")).isEqualTo("poison_pill");
        assertThat(header(dead, "dlq_redelivery_count")).isEqualTo("0");
        assertThat(Instant.parse(header(dead, "dlq_routed_at"))).isNotNull();
        assertThat(header(dead, "dlq_route_id")).isEqualTo("tickets-record");
        assertThat(header(dead, "dlq_instance_id")).isNotBlank();
        assertThat(header(dead, "dlq_original_key_hex")).isEqualTo("fffe0041");

        ConsumerRecord<String, byte[]> unknown = kafka.awaitRecords("fte.dlq", Records.withHeader("dlq_correlation_id", "poison-2"), 1).get(0);
        assertThat(unknown.key()).isEqualTo("unknown@example.com");
        assertThat(header(unknown, "dlq_reason")).isEqualTo("poison_pill");
        assertThat(header(unknown, "dlq_original_key_hex")).isNull();

        kafka.awaitRecords(DECISIONS, r -> json(r).path("ticketId").asText().equals(next.getTicketId().toString()), 1);
        assertThat(metric("kafka_dlq_messages_total", "reason=\"poison_pill\"")).isGreaterThanOrEqualTo(2);
        assertThat(prometheus()).contains("kafka_message_processing_duration_seconds_bucket");
    }

    static void awaitCommittedPast(TopicPartition partition, long offset) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            try (Admin admin = admin()) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets("intake-agent").partitionsToOffsetAndMetadata().get().get(partition);
                return committed != null && committed.offset() > offset;
            }
        });
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
    }

    static TicketEvent ticket(String customer, String body) {
        String messageId = "test-" + UUID.randomUUID();
        return Tickets.newTicket("webhook", "shop", messageId, "corr-" + messageId, Instant.now())
                .setCustomerId(customer).setSubject("Question").setBody(body).build();
    }

    static JsonNode json(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (Exception e) {
            return JSON.nullNode();
        }
    }
}
