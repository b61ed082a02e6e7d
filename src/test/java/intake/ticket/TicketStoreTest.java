package intake.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import intake.ticket.AgentDecision;
import intake.database.StatementTimeout;
import intake.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tickets table (one decision per ticket) as the consumer and GET /tickets/{id} use it, on PostgreSQL and on the local run's H2. */
class TicketStoreTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    @TempDir
    static Path h2Dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void theFirstDecisionIsKeptAndReturnedToEveryLaterOne(String database) {
        TicketStore store = store(database, NOW);
        TicketEvent ticket = ticket("store-" + UUID.randomUUID() + "@example.com", NOW.minusSeconds(60));
        String ticketId = ticket.getTicketId().toString();
        assertThat(store.decisionOf(ticketId)).isEmpty();

        AgentDecision first = new AgentDecision(ticketId, ticket.getCustomerId(), "triage", "billing", "high", true,
                List.of("refund_or_cancellation", "negative_sentiment"), "First reply");
        TicketDecision kept = store.recordOnce(ticket, first, 12);
        TicketDecision later = store(database, NOW.plusSeconds(30)).recordOnce(ticket, decision(ticket, "technical", false, "Second reply"), 40);

        assertThat(kept).isEqualTo(new TicketDecision(first, TicketDecision.idFor(ticketId), NOW, 12L));
        assertThat(later).as("a second decision is not stored; the first one comes back").isEqualTo(kept);
        assertThat(store.decisionOf(ticketId)).contains(kept);
        Map<String, Object> found = store.find(ticketId).orElseThrow();
        assertThat(found).containsEntry("status", "processed").containsEntry("category", "billing")
                .containsEntry("escalated", true).containsEntry("reply", "First reply")
                .containsEntry("receivedAt", "2026-11-22T11:59:00Z").containsEntry("processedAt", "2026-11-22T12:00:00Z");
        assertThat(store.find(UUID.randomUUID().toString())).isEmpty();
        assertThat(TicketDecision.idFor(ticketId)).as("deterministic per ticket").isEqualTo(TicketDecision.idFor(ticketId))
                .isNotEqualTo(TicketDecision.idFor(UUID.randomUUID().toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void countsACustomersTicketsInAWindowThatEndsWhereTheTicketBeingDecidedArrived(String database) {
        TicketStore store = store(database, NOW);
        String customer = "history-" + UUID.randomUUID() + "@example.com";
        for (int hoursAgo : List.of(30, 20, 2, 1)) {
            TicketEvent ticket = ticket(customer, NOW.minusSeconds(hoursAgo * 3600L));
            store.recordOnce(ticket, decision(ticket, "general", false, "ok"), 1);
        }

        assertThat(store.contactsBetween(customer, NOW.minusSeconds(24 * 3600), NOW)).isEqualTo(3);
        assertThat(store.contactsBetween(customer, NOW.minusSeconds(90 * 60), NOW)).isEqualTo(1);
        assertThat(store.contactsBetween("nobody@example.com", NOW.minusSeconds(24 * 3600), NOW)).isZero();
        // a ticket received 3 hours ago, decided only now (after an outage or a replay): later tickets do not count
        assertThat(store.contactsBetween(customer, NOW.minusSeconds(27 * 3600), NOW.minusSeconds(3 * 3600))).isEqualTo(1);
    }

    private static TicketStore store(String database, Instant now) {
        return new TicketStore(dataSource(database), Clock.fixed(now, ZoneOffset.UTC), StatementTimeout.of(Duration.ofSeconds(5)));
    }

    private static DataSource dataSource(String database) {
        DataSource dataSource = "postgresql".equals(database) ? TestDatabase.postgres() : TestDatabase.h2(h2Dir);
        TestDatabase.migrate(dataSource);
        return dataSource;
    }

    private static TicketEvent ticket(String customer, Instant receivedAt) {
        return Tickets.newTicket("webform", "support-form", UUID.randomUUID().toString(), "c", receivedAt)
                .setCustomerId(customer).setBody("b").build();
    }

    private static AgentDecision decision(TicketEvent ticket, String category, boolean escalate, String reply) {
        return new AgentDecision(ticket.getTicketId().toString(), ticket.getCustomerId(), "triage", category, "normal",
                escalate, List.of(), reply);
    }
}
