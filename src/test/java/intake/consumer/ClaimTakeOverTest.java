package intake.consumer;

import static intake.consumer.TicketProcessingTest.awaitCommittedPast;
import static intake.consumer.TicketProcessingTest.json;
import static intake.consumer.TicketProcessingTest.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import intake.database.StatementTimeout;
import intake.idempotency.ClaimTerms;
import intake.idempotency.JdbcProcessedMessages;
import intake.idempotency.JdbcProcessedMessages.Claim;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.ticket.TicketDecision;
import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A consumer that died mid-processing, simulated precisely: its claim is left in processed_messages,
 * unconfirmed, by an owner that never renews it again (as after a SIGKILL), and the record is read
 * again. The ticket is decided exactly once: not skipped as a duplicate, not decided twice. The
 * test profile's lease is 5 s.
 */
class ClaimTakeOverTest extends IntakeIntegrationTest {

    private static final String TICKETS = "fte.tickets.incoming";
    private static final String DECISIONS = "fte.agent.decisions";
    private static final Duration LEASE = Duration.ofSeconds(5);

    @Autowired
    CamelContext camelContext;

    @Test
    void aClaimLeftUnconfirmedByADeadInstanceIsTakenOverAndTheTicketDecidedOnce() throws Exception {
        TicketEvent ticket = ticket("crashed.claim@example.com", "Where is my parcel?");
        String ticketId = ticket.getTicketId().toString();
        assertThat(owner("dead-instance/1a2b3c4d", LEASE).claim(ticketId)).isEqualTo(Claim.NEW);

        long sent = System.nanoTime();
        RecordMetadata record = send(ticket);
        List<ConsumerRecord<String, byte[]>> decided = kafka.awaitRecords(DECISIONS, decisionOf(ticketId), 1);
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).as("taken over only once the dead owner's lease ran out")
                .isGreaterThanOrEqualTo(LEASE.minusMillis(500));
        awaitCommittedPast(new TopicPartition(TICKETS, record.partition()), record.offset());

        RecordMetadata again = send(ticket);
        awaitCommittedPast(new TopicPartition(TICKETS, again.partition()), again.offset());
        List<ConsumerRecord<String, byte[]>> decisions = decisions(ticketId);
        assertThat(decisions).as("decided once; the record read again later is a duplicate").hasSize(1);
        assertThat(json(decided.get(0)).get("decisionId").asText()).isEqualTo(TicketDecision.idFor(ticketId));
        assertThat(claimRow(ticketId)).isEqualTo("confirmed=true, claimed_by=null");
        assertThat(kafka.readAll("fte.dlq").stream().filter(Records.withHeader("dlq_correlation_id", ticket.getCorrelationId())))
                .isEmpty();
    }

    @Test
    void aTicketClaimedByALiveOwnerIsNeverCommittedAsADuplicateAndIsDecidedOnceTheOwnerIsGone() throws Exception {
        TicketEvent ticket = ticket("live.claim@example.com", "Is anyone there?");
        String ticketId = ticket.getTicketId().toString();
        // alive for 12 s (its lease outlasts the consumer's 5 s wait twice over), then gone
        assertThat(owner("live-instance/5e6f7a8b", Duration.ofSeconds(12)).claim(ticketId)).isEqualTo(Claim.NEW);
        double heldBefore = metric("kafka_messages_processed_total", "status=\"claim_held\"");
        TopicPartition partition;

        RecordMetadata record = send(ticket);
        partition = new TopicPartition(TICKETS, record.partition());
        await("the consumer giving up its wait at least once").atMost(Duration.ofSeconds(10))
                .until(() -> metric("kafka_messages_processed_total", "status=\"claim_held\"") >= heldBefore + 1);
        assertThat(committed(partition)).as("the record is not committed while its ticket is held").isLessThanOrEqualTo(record.offset());
        assertThat(decisions(ticketId)).as("nor decided here").isEmpty();

        kafka.awaitRecords(DECISIONS, decisionOf(ticketId), 1);
        awaitCommittedPast(partition, record.offset());
        await("no second decision").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> decisions(ticketId).size() == 1);
        assertThat(kafka.readAll("fte.dlq").stream().filter(Records.withHeader("dlq_correlation_id", ticket.getCorrelationId())))
                .as("a held ticket is not a failure").isEmpty();
    }

    @Test
    void aCrashBetweenTheDecisionAndTheConfirmationPublishesTheStoredDecisionAgainNotASecondOne() throws Exception {
        TicketEvent ticket = ticket("decided.then.crashed@example.com", "I want my money back, this is unacceptable.");
        String ticketId = ticket.getTicketId().toString();
        // the instance that dies: it claimed the ticket, decided, stored and published, and was killed before confirming
        assertThat(owner("dead-instance/9c8d7e6f", LEASE).claim(ticketId)).isEqualTo(Claim.NEW);
        try (ProducerTemplate template = camelContext.createProducerTemplate()) {
            template.send("direct:tickets-process", exchange -> exchange.setProperty(TicketExchange.TICKET, ticket));
        }
        ConsumerRecord<String, byte[]> beforeCrash = kafka.awaitRecords(DECISIONS, decisionOf(ticketId), 1).get(0);

        RecordMetadata record = send(ticket);
        kafka.awaitRecords(DECISIONS, decisionOf(ticketId), 2);
        awaitCommittedPast(new TopicPartition(TICKETS, record.partition()), record.offset());

        List<ConsumerRecord<String, byte[]>> decisions = decisions(ticketId);
        assertThat(decisions).as("published twice, the second time by the consumer that took the claim over").hasSize(2);
        Set<String> ids = decisions.stream().map(r -> json(r).get("decisionId").asText()).collect(Collectors.toSet());
        assertThat(ids).as("one decision").containsExactly(TicketDecision.idFor(ticketId));
        assertThat(decisions.get(1).value()).as("the stored decision again, not a new one: same decidedAt, latency, reply")
                .isEqualTo(beforeCrash.value());
        assertThat(kafka.readAll("fte.escalations").stream().filter(decisionOf(ticketId))
                .map(r -> json(r).get("decisionId").asText()).collect(Collectors.toSet()))
                .containsExactly(TicketDecision.idFor(ticketId));
        assertThat(claimRow(ticketId)).isEqualTo("confirmed=true, claimed_by=null");
    }

    /** Another instance's claims on the app's processor (consumer group) and database, never renewed. */
    private static JdbcProcessedMessages owner(String owner, Duration lease) {
        return new JdbcProcessedMessages(TestDatabase.postgres(), "intake-agent", Clock.systemUTC(),
                new ClaimTerms(owner, lease, Duration.ofMinutes(1)), StatementTimeout.of(Duration.ofSeconds(5)));
    }

    private RecordMetadata send(TicketEvent ticket) {
        return kafka.send(TICKETS, ticket.getCustomerId().getBytes(StandardCharsets.UTF_8), Records.bytes(ticket),
                Map.of("intake_correlation_id", ticket.getCorrelationId()));
    }

    private List<ConsumerRecord<String, byte[]>> decisions(String ticketId) {
        return kafka.readAll(DECISIONS).stream().filter(decisionOf(ticketId)).toList();
    }

    private static Predicate<ConsumerRecord<String, byte[]>> decisionOf(String ticketId) {
        return r -> json(r).path("ticketId").asText().equals(ticketId);
    }

    private static long committed(TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets("intake-agent").partitionsToOffsetAndMetadata().get().get(partition);
            return offset == null ? -1 : offset.offset();
        }
    }

    private static String claimRow(String ticketId) throws Exception {
        try (Connection connection = TestDatabase.postgres().getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select confirmed, claimed_by from processed_messages where processor_name = 'intake-agent' and message_id = ?")) {
            select.setString(1, ticketId);
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                return "confirmed=" + row.getBoolean(1) + ", claimed_by=" + row.getString(2);
            }
        }
    }
}
