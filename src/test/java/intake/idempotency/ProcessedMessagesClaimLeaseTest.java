package intake.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import intake.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A consumer that dies in the middle of processing leaves an unconfirmed claim: once its lease ran
 * out the message is processed again instead of being skipped as a duplicate (PostgreSQL and H2).
 */
class ProcessedMessagesClaimLeaseTest {

    private static final Duration LEASE = Duration.ofMinutes(10);

    @TempDir
    static Path h2Dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void anUnconfirmedClaimIsTakenOverOnlyAfterItsLeaseAndOnlyOnce(String database) {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
        String processor = "lease-" + UUID.randomUUID();
        JdbcProcessedMessages crashed = new JdbcProcessedMessages(dataSource(database), processor, clock, LEASE);
        JdbcProcessedMessages survivor = new JdbcProcessedMessages(dataSource(database), processor, clock, LEASE);
        JdbcProcessedMessages another = new JdbcProcessedMessages(dataSource(database), processor, clock, LEASE);

        assertThat(crashed.add("T-1")).isTrue(); // ...and the process dies before confirming

        clock.advance(LEASE.minusSeconds(1));
        assertThat(survivor.add("T-1")).as("while the claim holds, another consumer may be processing it").isFalse();

        clock.advance(Duration.ofSeconds(2));
        assertThat(survivor.add("T-1")).as("the lease ran out unconfirmed: process it again").isTrue();
        assertThat(another.add("T-1")).as("taken over once").isFalse();
        assertThat(survivor.confirm("T-1")).isTrue();

        clock.advance(LEASE.multipliedBy(3));
        assertThat(another.add("T-1")).as("a confirmed key is a duplicate forever").isFalse();
        survivor.clear();
    }

    private static DataSource dataSource(String database) {
        DataSource dataSource = "postgresql".equals(database) ? TestDatabase.postgres() : TestDatabase.h2(h2Dir);
        TestDatabase.migrate(dataSource);
        return dataSource;
    }

    /** A clock the test moves forward. */
    private static final class MutableClock extends Clock {

        private Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
