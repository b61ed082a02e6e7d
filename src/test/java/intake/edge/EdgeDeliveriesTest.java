package intake.edge;

import static org.assertj.core.api.Assertions.assertThat;

import intake.database.StatementTimeout;
import intake.edge.EdgeDeliveries.Claim;
import intake.edge.EdgeDeliveries.Key;
import intake.edge.EdgeDeliveries.Outcome;
import intake.testing.MutableClock;
import intake.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The failure windows of the edge's claims, against PostgreSQL: only a confirmed publish is answered as a duplicate. */
class EdgeDeliveriesTest {

    private static final Duration LEASE = Duration.ofSeconds(30);
    private static DataSource database;

    private final MutableClock clock = new MutableClock(Instant.parse("2000-01-01T12:00:00Z"));
    private final EdgeDeliveries deliveries = new EdgeDeliveries(database, clock, LEASE, StatementTimeout.of(Duration.ofSeconds(1)));

    @BeforeAll
    static void migrate() {
        database = TestDatabase.postgres();
        TestDatabase.migrate(database);
    }

    @Test
    void aReleasedClaimIsPublishedByTheRetryAndAConfirmedOneIsAnswered() {
        Key key = key();
        assertThat(deliveries.claim(key, "t-1", "first", null, "a").outcome()).isEqualTo(Outcome.CLAIMED);
        deliveries.release(key, "a"); // the publish failed: the caller got a 503

        Claim retry = deliveries.claim(key, "t-1", "retry", null, "b");
        assertThat(retry.outcome()).as("the retry publishes: nothing was published before").isEqualTo(Outcome.CLAIMED);
        assertThat(deliveries.confirm(key, "b")).isTrue();

        Claim again = deliveries.claim(key, "t-1", "again", null, "c");
        assertThat(again).isEqualTo(new Claim(Outcome.ANSWERED, "t-1", "retry"));
        deliveries.release(key, "c"); // a later delivery's release never removes the confirmed answer
        assertThat(deliveries.claim(key, "t-1", "later", null, "d").outcome()).isEqualTo(Outcome.ANSWERED);
    }

    @Test
    void anUnconfirmedClaimHoldsForItsLeaseThenIsTakenOverKeepingItsTicketId() {
        Key key = key();
        deliveries.claim(key, "t-first", "first", "fp", "crashed"); // ...and its instance dies before confirming

        clock.advance(LEASE.minusSeconds(1));
        assertThat(deliveries.claim(key, "t-second", "second", "fp", "b").outcome()).isEqualTo(Outcome.IN_PROGRESS);

        clock.advance(Duration.ofSeconds(2));
        Claim takenOver = deliveries.claim(key, "t-second", "second", "fp", "b");
        assertThat(takenOver).as("the first claim may have published: same ticket id").isEqualTo(new Claim(Outcome.CLAIMED, "t-first", "second"));
        assertThat(deliveries.confirm(key, "crashed")).as("the dead claim cannot confirm any more").isFalse();
        assertThat(deliveries.confirm(key, "b")).isTrue();
    }

    @Test
    void aKeyWithAnotherFingerprintIsReused() {
        Key key = key();
        deliveries.claim(key, "t-1", "first", "body-a", "a");
        deliveries.confirm(key, "a");

        assertThat(deliveries.claim(key, "t-2", "second", "body-b", "b").outcome()).isEqualTo(Outcome.KEY_REUSED);
        assertThat(deliveries.claim(key, "t-2", "second", "body-a", "b").outcome()).isEqualTo(Outcome.ANSWERED);
    }

    @Test
    void ofConcurrentDeliveriesExactlyOneClaims() throws Exception {
        Key key = key();
        int threads = 8;
        CountDownLatch gate = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String token = "token-" + i;
                outcomes.add(pool.submit(() -> {
                    gate.await();
                    return new EdgeDeliveries(database, clock, LEASE, StatementTimeout.of(Duration.ofSeconds(1))).claim(key, "t-1", token, null, token).outcome();
                }));
            }
            gate.countDown();
            List<Outcome> results = new ArrayList<>();
            for (Future<Outcome> outcome : outcomes) {
                results.add(outcome.get());
            }
            assertThat(results).containsOnlyOnce(Outcome.CLAIMED).containsOnly(Outcome.CLAIMED, Outcome.IN_PROGRESS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void longIdsAreStoredAsTheirHashAndThePurgeDeletesOnlyOlderDeliveries() {
        Key longKey = new Key("email", "support@intake.test", "<" + "x".repeat(990) + "@example.com>");
        assertThat(longKey.messageId()).startsWith("sha256:").hasSize(71);
        deliveries.claim(longKey, "t-old", "old", null, "a");
        deliveries.confirm(longKey, "a");
        clock.advance(Duration.ofDays(8));
        Key recent = key();
        deliveries.claim(recent, "t-new", "new", null, "b");
        deliveries.confirm(recent, "b");

        assertThat(deliveries.purgeOlderThan(clock.instant().minus(Duration.ofDays(7)))).isGreaterThanOrEqualTo(1);
        assertThat(deliveries.claim(longKey, "t-old", "again", null, "c").outcome()).as("past the horizon: published again")
                .isEqualTo(Outcome.CLAIMED);
        assertThat(deliveries.claim(recent, "t-new", "again", null, "d").outcome()).isEqualTo(Outcome.ANSWERED);
    }

    /**
     * The purge is not bounded by the statement timeout (1 s here): a purge that waits longer, here
     * for a row another transaction holds, still deletes, where a bounded one would be cancelled
     * every time and the table would only grow.
     */
    @Test
    void thePurgeOutlastsTheStatementTimeout() throws Exception {
        Key old = key();
        deliveries.claim(old, "t-old", "old", null, "a");
        deliveries.confirm(old, "a");
        clock.advance(Duration.ofDays(8));

        ExecutorService holder = Executors.newSingleThreadExecutor();
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement lock = connection.prepareStatement(
                    "SELECT 1 FROM edge_deliveries WHERE channel = ? AND source = ? AND message_id = ? FOR UPDATE")) {
                lock.setString(1, old.channel());
                lock.setString(2, old.source());
                lock.setString(3, old.messageId());
                lock.executeQuery().close();
            }
            Future<?> released = holder.submit(() -> {
                Thread.sleep(2_500);
                connection.rollback();
                return null;
            });

            assertThat(deliveries.purgeOlderThan(clock.instant().minus(Duration.ofDays(7)))).isGreaterThanOrEqualTo(1);
            assertThat(released).isDone();
        } finally {
            holder.shutdownNow();
        }
        assertThat(deliveries.claim(old, "t-old", "again", null, "b").outcome()).isEqualTo(Outcome.CLAIMED);
    }

    private static Key key() {
        return new Key("webhook", "shop", "msg_" + UUID.randomUUID());
    }
}
