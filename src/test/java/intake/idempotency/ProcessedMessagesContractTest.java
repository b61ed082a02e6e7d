package intake.idempotency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import intake.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The repository contract, on PostgreSQL (production, tests) and on H2 in PostgreSQL mode (the
 * local run): the same migration and the same SQL must behave the same on both.
 */
class ProcessedMessagesContractTest {

    enum Database {
        POSTGRESQL, H2
    }

    private static final Instant JAN_1 = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant JAN_10 = Instant.parse("2025-01-10T00:00:00Z");
    private static final Instant JAN_20 = Instant.parse("2025-01-20T00:00:00Z");

    @TempDir
    static Path h2Dir;

    private static final Map<Database, DataSource> migrated = new EnumMap<>(Database.class);

    private final List<JdbcProcessedMessages> created = new ArrayList<>();

    @AfterEach
    void removeTheKeysOfThisTest() {
        created.forEach(JdbcProcessedMessages::clear);
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void theFirstAddClaimsAKeyAndTheSecondIsADuplicate(Database database) {
        JdbcProcessedMessages repository = repository(database, Clock.systemUTC());

        assertThat(repository.contains("T-1")).isFalse();
        assertThat(repository.add("T-1")).isTrue();
        assertThat(repository.add("T-1")).isFalse();
        assertThat(repository.contains("T-1")).isTrue();
        assertThat(repository.contains("T-2")).isFalse();
        assertThat(repository.confirm("T-1")).isTrue();
        assertThat(repository.contains("T-1")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aRemovedKeyCanBeClaimedAgain(Database database) {
        JdbcProcessedMessages repository = repository(database, Clock.systemUTC());
        repository.add("T-1");

        assertThat(repository.remove("T-1")).isTrue();
        assertThat(repository.contains("T-1")).isFalse();
        assertThat(repository.remove("T-1")).isFalse();
        assertThat(repository.add("T-1")).isTrue();
        assertThat(repository.add("T-1")).isFalse();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void processorsHaveTheirOwnKeys(Database database) {
        JdbcProcessedMessages agent = repository(database, Clock.systemUTC());
        JdbcProcessedMessages other = repository(database, Clock.systemUTC());

        assertThat(agent.add("T-1")).isTrue();
        assertThat(other.contains("T-1")).isFalse();
        assertThat(other.add("T-1")).isTrue();

        assertThat(agent.remove("T-1")).isTrue();
        assertThat(other.contains("T-1")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void theKeyIsStampedWithTheClock(Database database) throws SQLException {
        JdbcProcessedMessages repository = repository(database, Clock.fixed(JAN_1.plusNanos(123_456_000), ZoneOffset.UTC));
        repository.add("T-1");

        assertThat(createdAt(database, repository.getProcessorName(), "T-1")).isEqualTo(JAN_1.plusNanos(123_456_000));
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void thePurgeDeletesOnlyOldKeysOfItsOwnProcessor(Database database) {
        String name = processorName();
        JdbcProcessedMessages oldClock = repository(database, name, Clock.fixed(JAN_1, ZoneOffset.UTC));
        JdbcProcessedMessages atCutoff = repository(database, name, Clock.fixed(JAN_10, ZoneOffset.UTC));
        JdbcProcessedMessages newClock = repository(database, name, Clock.fixed(JAN_20, ZoneOffset.UTC));
        JdbcProcessedMessages otherProcessor = repository(database, Clock.fixed(JAN_1, ZoneOffset.UTC));
        oldClock.add("old-1");
        oldClock.add("old-2");
        atCutoff.add("at-cutoff");
        newClock.add("new-1");
        otherProcessor.add("old-1");

        assertThat(newClock.purgeOlderThan(JAN_10)).isEqualTo(2);

        assertThat(newClock.contains("old-1")).isFalse();
        assertThat(newClock.contains("old-2")).isFalse();
        assertThat(newClock.contains("at-cutoff")).isTrue();
        assertThat(newClock.contains("new-1")).isTrue();
        assertThat(otherProcessor.contains("old-1")).isTrue();
        assertThat(newClock.purgeOlderThan(JAN_10)).isZero();
        assertThat(newClock.add("old-1")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void clearDeletesEveryKeyOfItsOwnProcessorOnly(Database database) {
        JdbcProcessedMessages repository = repository(database, Clock.systemUTC());
        JdbcProcessedMessages other = repository(database, Clock.systemUTC());
        repository.add("T-1");
        repository.add("T-2");
        other.add("T-1");

        repository.clear();

        assertThat(repository.contains("T-1")).isFalse();
        assertThat(repository.contains("T-2")).isFalse();
        assertThat(other.contains("T-1")).isTrue();
        assertThat(repository.add("T-1")).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Database.class)
    void aKeyTheColumnCannotHoldIsRejectedAsPermanent(Database database) {
        JdbcProcessedMessages repository = repository(database, Clock.systemUTC());
        String longest = "é".repeat(JdbcProcessedMessages.MAX_MESSAGE_ID_LENGTH);
        String tooLong = longest + "x";

        assertThat(repository.add(longest)).isTrue();
        assertThat(repository.contains(longest)).isTrue();
        assertThatThrownBy(() -> repository.add(tooLong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 200 characters");
        assertThatThrownBy(() -> repository.add(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(repository.contains(tooLong)).isFalse();
        assertThat(repository.remove(tooLong)).isFalse();
    }

    private JdbcProcessedMessages repository(Database database, Clock clock) {
        return repository(database, processorName(), clock);
    }

    private JdbcProcessedMessages repository(Database database, String processorName, Clock clock) {
        JdbcProcessedMessages repository = new JdbcProcessedMessages(dataSource(database), processorName, clock);
        created.add(repository);
        return repository;
    }

    private static String processorName() {
        return "contract-" + UUID.randomUUID();
    }

    private static synchronized DataSource dataSource(Database database) {
        return migrated.computeIfAbsent(database, d -> {
            DataSource dataSource = d == Database.POSTGRESQL ? TestDatabase.postgres() : TestDatabase.h2(h2Dir);
            TestDatabase.migrate(dataSource);
            return dataSource;
        });
    }

    private static Instant createdAt(Database database, String processorName, String key) throws SQLException {
        try (Connection connection = dataSource(database).getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT created_at FROM processed_messages WHERE processor_name = ? AND message_id = ?")) {
            select.setString(1, processorName);
            select.setString(2, key);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).as("a row for %s", key).isTrue();
                return rows.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
    }
}
