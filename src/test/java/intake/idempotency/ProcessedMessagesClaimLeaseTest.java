package intake.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import intake.database.StatementTimeout;
import intake.idempotency.JdbcProcessedMessages.Claim;
import intake.testing.MutableClock;
import intake.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Claims belong to an owner whose heartbeat renews them: a dead owner's claim lapses after one lease
 * and is taken over once; a live owner's claim is held (never a duplicate) however long it works,
 * up to maxHold; only the owner confirms or releases it (PostgreSQL and H2).
 */
class ProcessedMessagesClaimLeaseTest {

    private static final Duration LEASE = Duration.ofSeconds(15);
    private static final Duration MAX_HOLD = Duration.ofMinutes(3);

    @TempDir
    static Path h2Dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void aDeadOwnersClaimIsHeldUntilItsLeaseRunsOutThenTakenOverOnce(String database) {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
        String processor = "lease-" + UUID.randomUUID();
        JdbcProcessedMessages dead = repository(database, processor, "dead", clock);
        JdbcProcessedMessages survivor = repository(database, processor, "survivor", clock);
        JdbcProcessedMessages another = repository(database, processor, "another", clock);

        assertThat(dead.claim("T-1")).isEqualTo(Claim.NEW); // ...and the process dies: no renewal, no confirm

        clock.advance(LEASE.minusSeconds(1));
        assertThat(survivor.claim("T-1")).as("within the lease the owner may still be working: held, not done").isEqualTo(Claim.HELD);
        assertThat(survivor.add("T-1")).as("Camel's add skips a held key (the bypass)").isFalse();

        clock.advance(Duration.ofSeconds(2));
        assertThat(survivor.claim("T-1")).as("the lease ran out unconfirmed: process it").isEqualTo(Claim.NEW);
        assertThat(another.claim("T-1")).as("taken over once").isEqualTo(Claim.HELD);
        assertThat(dead.confirm("T-1")).as("the old owner cannot confirm a claim it lost").isFalse();
        assertThat(dead.remove("T-1")).as("nor release it").isFalse();
        assertThat(survivor.confirm("T-1")).isTrue();

        clock.advance(LEASE.multipliedBy(3));
        assertThat(another.claim("T-1")).as("a confirmed key is a duplicate for good").isEqualTo(Claim.DONE);
        assertThat(another.add("T-1")).isFalse();
        survivor.clear();
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "h2"})
    void aLiveOwnersRenewedClaimIsHeldPastItsLeaseButNotPastMaxHold(String database) {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-22T12:00:00Z"));
        String processor = "renew-" + UUID.randomUUID();
        JdbcProcessedMessages owner = repository(database, processor, "owner", clock);
        JdbcProcessedMessages other = repository(database, processor, "other", clock);

        assertThat(owner.claim("T-1")).isEqualTo(Claim.NEW);
        assertThat(owner.claim("T-2")).isEqualTo(Claim.NEW);
        assertThat(owner.confirm("T-2")).isTrue();
        for (int beat = 0; beat < 9; beat++) { // 9 renewals, a third of the lease apart: 3 leases
            clock.advance(owner.terms().renewalInterval());
            assertThat(owner.renewClaims()).as("only the unconfirmed claim is renewed").isEqualTo(1);
        }
        assertThat(other.claim("T-1")).as("renewed: still held long after its first lease").isEqualTo(Claim.HELD);

        clock.advance(MAX_HOLD);
        assertThat(owner.renewClaims()).as("older than maxHold: a wedged owner loses it").isZero();
        clock.advance(LEASE.plusSeconds(1));
        assertThat(other.claim("T-1")).isEqualTo(Claim.NEW);
        other.clear();
    }

    private static JdbcProcessedMessages repository(String database, String processor, String owner, Clock clock) {
        DataSource dataSource = "postgresql".equals(database) ? TestDatabase.postgres() : TestDatabase.h2(h2Dir);
        TestDatabase.migrate(dataSource);
        return new JdbcProcessedMessages(dataSource, processor, clock, new ClaimTerms(owner, LEASE, MAX_HOLD),
                StatementTimeout.of(Duration.ofSeconds(5)));
    }
}
