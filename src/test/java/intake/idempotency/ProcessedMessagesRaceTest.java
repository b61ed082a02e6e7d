package intake.idempotency;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import intake.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Consumers on several instances racing to claim the same tickets: each thread has its own
 * repository instance and its own connections, they start together on a gate and try the same
 * ids in the same order, so nearly every add meets a competing add of the same key. The database
 * must let exactly one claim each id.
 */
class ProcessedMessagesRaceTest {

    private static final int CONSUMERS = 8;
    private static final int IDS = 200;

    private final String processorName = "race-" + UUID.randomUUID();
    private DataSource dataSource;

    @BeforeEach
    void migrate() {
        dataSource = TestDatabase.postgres();
        TestDatabase.migrate(dataSource);
    }

    @AfterEach
    void removeTheKeysOfThisRun() {
        new JdbcProcessedMessages(dataSource, processorName, Clock.systemUTC()).clear();
    }

    @Test
    void exactlyOneOfSeveralRacingConsumersClaimsEachId() throws Exception {
        List<String> ids = IntStream.range(0, IDS).mapToObj(i -> "ticket-" + i).toList();
        AtomicIntegerArray claims = new AtomicIntegerArray(IDS);
        CountDownLatch ready = new CountDownLatch(CONSUMERS);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService consumers = Executors.newFixedThreadPool(CONSUMERS);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int c = 0; c < CONSUMERS; c++) {
                JdbcProcessedMessages repository = new JdbcProcessedMessages(dataSource, processorName, Clock.systemUTC());
                results.add(consumers.submit(() -> {
                    ready.countDown();
                    start.await();
                    int won = 0;
                    for (int i = 0; i < IDS; i++) {
                        if (repository.add(ids.get(i))) {
                            claims.incrementAndGet(i);
                            won++;
                        }
                    }
                    return won;
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).as("every consumer at the gate").isTrue();
            long began = System.nanoTime();
            start.countDown();
            int claimed = 0;
            for (Future<Integer> result : results) {
                claimed += result.get(60, TimeUnit.SECONDS);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            System.out.printf("race: %d consumers x %d ids (%d adds) on PostgreSQL in %d ms%n",
                    CONSUMERS, IDS, CONSUMERS * IDS, took.toMillis());

            for (int i = 0; i < IDS; i++) {
                assertThat(claims.get(i)).as("claims of %s", ids.get(i)).isEqualTo(1);
            }
            assertThat(claimed).isEqualTo(IDS);
            assertThat(rowsOf(processorName)).isEqualTo(IDS);
        } finally {
            consumers.shutdownNow();
        }
    }

    private int rowsOf(String processor) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement count = connection.prepareStatement(
                        "SELECT COUNT(*) FROM processed_messages WHERE processor_name = ?")) {
            count.setString(1, processor);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
