package intake.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.catchThrowable;

import intake.ticket.AgentDecision;
import intake.idempotency.ClaimTerms;
import intake.idempotency.JdbcProcessedMessages;
import intake.testing.TestDatabase;
import intake.ticket.TicketEvent;
import intake.ticket.TicketStore;
import intake.ticket.Tickets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * On a real PostgreSQL whose tables another session keeps locked, the claim and the ticket store
 * give up after the statement timeout (1 s) instead of waiting for the lock.
 */
class StatementTimeoutTest {

    private static final StatementTimeout ONE_SECOND = StatementTimeout.of(Duration.ofSeconds(1));

    @Test
    void statementsOnALockedTableFailWithinTheTimeoutInsteadOfWaiting() throws Exception {
        DataSource dataSource = TestDatabase.postgres();
        TestDatabase.migrate(dataSource);
        JdbcProcessedMessages claims = new JdbcProcessedMessages(dataSource, "timeout-" + UUID.randomUUID(), Clock.systemUTC(),
                new ClaimTerms("timeout-test", Duration.ofSeconds(15), Duration.ofMinutes(1)), ONE_SECOND);
        TicketStore store = new TicketStore(dataSource, Clock.systemUTC(), ONE_SECOND);
        TicketEvent ticket = Tickets.newTicket("webform", "support-form", UUID.randomUUID().toString(), "c", Instant.now())
                .setCustomerId("locked@example.com").setBody("b").build();
        AgentDecision decision = new AgentDecision(ticket.getTicketId().toString(), ticket.getCustomerId(), "triage", "general",
                "low", false, List.of(), "r");

        try (Connection locker = dataSource.getConnection(); Statement lock = locker.createStatement()) {
            locker.setAutoCommit(false);
            lock.execute("lock table processed_messages, tickets in access exclusive mode");

            long claimMs = millis(() -> assertThatIllegalStateException().isThrownBy(() -> claims.claim("T-locked"))
                    .withMessageContaining("processed_messages claim failed").withMessageContaining("canceling statement"));
            long storeMs = millis(() -> assertThat(catchThrowable(() -> store.recordOnce(ticket, decision, 3)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("canceling statement"));
            long lookupMs = millis(() -> assertThat(catchThrowable(() -> store.decisionOf(ticket.getTicketId().toString())))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("canceling statement"));

            assertThat(List.of(claimMs, storeMs, lookupMs)).allSatisfy(ms -> assertThat(ms).isBetween(900L, 2_500L));
            locker.rollback();
        }
        assertThat(claims.claim("T-locked")).as("the lock gone, the same statement succeeds").isEqualTo(JdbcProcessedMessages.Claim.NEW);
        claims.clear();
    }

    @Test
    void aTimeoutBelowOneWholeSecondIsRefusedNamingTheSetting() {
        assertThatIllegalStateException().isThrownBy(() -> StatementTimeout.of(Duration.ofMillis(500)))
                .withMessageStartingWith("intake.database.statement-timeout must be a whole number of seconds, at least 1s");
        assertThatIllegalStateException().isThrownBy(() -> StatementTimeout.of(Duration.ZERO));
        assertThat(StatementTimeout.of(Duration.ofSeconds(2)).duration()).isEqualTo(Duration.ofSeconds(2));
    }

    private static long millis(Runnable action) {
        long started = System.nanoTime();
        action.run();
        return (System.nanoTime() - started) / 1_000_000;
    }
}
