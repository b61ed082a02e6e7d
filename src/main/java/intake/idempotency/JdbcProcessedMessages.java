package intake.idempotency;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;

import javax.sql.DataSource;

import org.apache.camel.spi.IdempotentRepository;

/**
 * The idempotent consumer's memory of processed messages, a JDBC table shared by every instance:
 * {@code processed_messages (processor_name, message_id, created_at)}, primary key
 * {@code (processor_name, message_id)}, created by the Flyway migration
 * {@code V1__processed_messages.sql}.
 *
 * <p>{@link #add(String)} claims a key with ONE atomic statement that the primary key guards,
 * {@code INSERT ... ON CONFLICT DO NOTHING}, and reports whether this call inserted the row. Of
 * any number of consumers racing on the same key (threads, or instances on other machines) exactly
 * one gets {@code true}; the database decides, nothing is checked first. That is why this class
 * exists instead of Camel's {@code JdbcMessageIdRepository}: its {@code add()} first counts the
 * key ({@code SELECT COUNT(*)}) and then inserts, a check-then-insert in which two consumers can
 * both see 0 and both go on to process the message (one of them then fails on the key, or both
 * succeed on a table without one).
 *
 * <p>Keys are added eagerly (the idempotent consumer's default) as a claim with a lease, and
 * {@link #confirm(String)} marks them done once the message was processed. A claim that was never
 * confirmed (its consumer died in the middle of processing) can be taken over by {@link #add(String)}
 * once its lease ran out: without that, the message read again after the crash would be skipped as
 * a duplicate and never processed. {@link #remove(String)} releases a key, for a message that ends in the
 * dead-letter topic, so that a replay of it is processed. {@link #purgeOlderThan(Instant)} deletes
 * keys past the retention horizon.
 *
 * <p>The same SQL runs on PostgreSQL and on H2 2.x in {@code MODE=PostgreSQL} (H2 reports an
 * honest 1 or 0 for the insert there; H2 without that mode rejects {@code ON CONFLICT}).
 * Connections come from the {@link DataSource} for one statement each and are expected in
 * auto-commit (every pool's default); one that is not is committed here, so a claim is visible
 * to the other consumers as soon as {@code add} returns.
 *
 * <p>A database failure surfaces as an {@link IllegalStateException} naming the operation (the
 * consumer's error policy treats it as transient); a key the table cannot hold (null, or over
 * {@value #MAX_MESSAGE_ID_LENGTH} characters) is an {@link IllegalArgumentException}, which no
 * retry can fix. Plain JDBC and Camel only, no Spring, so it runs under any Camel runtime.
 * Thread-safe.
 */
public class JdbcProcessedMessages implements IdempotentRepository {

    /** The length of the {@code message_id} column. */
    public static final int MAX_MESSAGE_ID_LENGTH = 200;

    /** The length of the {@code processor_name} column. */
    public static final int MAX_PROCESSOR_NAME_LENGTH = 100;

    private static final String INSERT = "INSERT INTO processed_messages"
            + " (processor_name, message_id, created_at, confirmed, claimed_until) VALUES (?, ?, ?, false, ?) ON CONFLICT DO NOTHING";
    // One statement: of several consumers taking over the same expired claim, the row lock lets one win.
    private static final String TAKE_OVER = "UPDATE processed_messages SET created_at = ?, claimed_until = ?"
            + " WHERE processor_name = ? AND message_id = ? AND confirmed = false AND claimed_until < ?";
    private static final String CONFIRM = "UPDATE processed_messages SET confirmed = true, claimed_until = NULL"
            + " WHERE processor_name = ? AND message_id = ?";
    /** Longer than any processing of one message, redeliveries included. */
    public static final Duration DEFAULT_CLAIM_LEASE = Duration.ofMinutes(10);
    private static final String SELECT =
            "SELECT 1 FROM processed_messages WHERE processor_name = ? AND message_id = ?";
    private static final String DELETE =
            "DELETE FROM processed_messages WHERE processor_name = ? AND message_id = ?";
    private static final String DELETE_ALL =
            "DELETE FROM processed_messages WHERE processor_name = ?";
    private static final String DELETE_OLDER =
            "DELETE FROM processed_messages WHERE processor_name = ? AND created_at < ?";

    private final DataSource dataSource;
    private final String processorName;
    private final Clock clock;
    private final Duration claimLease;

    public JdbcProcessedMessages(DataSource dataSource, String processorName, Clock clock) {
        this(dataSource, processorName, clock, DEFAULT_CLAIM_LEASE);
    }

    /**
     * @param dataSource    the database holding {@code processed_messages}
     * @param processorName whose keys these are (at most {@value #MAX_PROCESSOR_NAME_LENGTH} characters);
     *                      consumers with different names never see each other's keys
     * @param clock         the time stamped on each key, which the purge compares against
     * @param claimLease    how long an unconfirmed claim holds before another consumer may take it over
     */
    public JdbcProcessedMessages(DataSource dataSource, String processorName, Clock clock, Duration claimLease) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(processorName, "processorName");
        if (processorName.isBlank() || length(processorName) > MAX_PROCESSOR_NAME_LENGTH) {
            throw new IllegalArgumentException("processorName must be 1 to " + MAX_PROCESSOR_NAME_LENGTH
                    + " characters, not blank: '" + processorName + "'");
        }
        this.processorName = processorName;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.claimLease = Objects.requireNonNull(claimLease, "claimLease");
    }

    public String getProcessorName() {
        return processorName;
    }

    /**
     * Claims {@code key} for this processor.
     *
     * @return {@code true} if this call inserted the key, or took over a claim whose lease ran out
     *         without a confirmation (process the message); {@code false} if it was there already
     *         (a duplicate, or a message another consumer is processing right now)
     * @throws IllegalArgumentException if the key is null or longer than {@value #MAX_MESSAGE_ID_LENGTH} characters
     * @throws IllegalStateException    if the database cannot be reached or refuses the statement
     */
    @Override
    public boolean add(String key) {
        requireStorableKey(key);
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        OffsetDateTime leaseEnd = now.plus(claimLease);
        boolean inserted = update("add", key, INSERT, statement -> {
            statement.setString(1, processorName);
            statement.setString(2, key);
            statement.setObject(3, now);
            statement.setObject(4, leaseEnd);
        }) == 1;
        return inserted || update("add", key, TAKE_OVER, statement -> {
            statement.setObject(1, now);
            statement.setObject(2, leaseEnd);
            statement.setString(3, processorName);
            statement.setString(4, key);
            statement.setObject(5, now);
        }) == 1;
    }

    @Override
    public boolean contains(String key) {
        if (!storable(key)) {
            return false;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(SELECT)) {
            statement.setString(1, processorName);
            statement.setString(2, key);
            try (ResultSet rows = statement.executeQuery()) {
                boolean found = rows.next();
                endTransaction(connection);
                return found;
            }
        } catch (SQLException e) {
            throw failure("contains", key, e);
        }
    }

    /** Releases {@code key}, so the message is processed when it comes again (a dead-letter replay). */
    @Override
    public boolean remove(String key) {
        if (!storable(key)) {
            return false;
        }
        return update("remove", key, DELETE, statement -> {
            statement.setString(1, processorName);
            statement.setString(2, key);
        }) == 1;
    }

    /** Marks the claim done: the message was processed, and no one may take it over. */
    @Override
    public boolean confirm(String key) {
        if (!storable(key)) {
            return false;
        }
        return update("confirm", key, CONFIRM, statement -> {
            statement.setString(1, processorName);
            statement.setString(2, key);
        }) == 1;
    }

    /** Deletes every key of this processor (and of no other). */
    @Override
    public void clear() {
        update("clear", null, DELETE_ALL, statement -> statement.setString(1, processorName));
    }

    /**
     * Deletes this processor's keys created before {@code cutoff} (a key created exactly at the
     * cutoff stays).
     *
     * @return how many keys were deleted
     */
    public int purgeOlderThan(Instant cutoff) {
        OffsetDateTime before = OffsetDateTime.ofInstant(Objects.requireNonNull(cutoff, "cutoff"), ZoneOffset.UTC);
        return update("purge", null, DELETE_OLDER, statement -> {
            statement.setString(1, processorName);
            statement.setObject(2, before);
        });
    }

    /** Nothing to start: every call takes a connection from the data source and returns it. */
    @Override
    public void start() {
    }

    /** Nothing to stop: the data source belongs to whoever passed it in. */
    @Override
    public void stop() {
    }

    @Override
    public String toString() {
        return "JdbcProcessedMessages[" + processorName + "]";
    }

    private int update(String operation, String key, String sql, Binder binder) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            int count;
            try {
                count = statement.executeUpdate();
            } catch (SQLException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            endTransaction(connection);
            return count;
        } catch (SQLException e) {
            throw failure(operation, key, e);
        }
    }

    private static void endTransaction(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }

    private static void rollbackQuietly(Connection connection, SQLException cause) {
        try {
            if (!connection.getAutoCommit()) {
                connection.rollback();
            }
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    private IllegalStateException failure(String operation, String key, SQLException e) {
        return new IllegalStateException("processed_messages " + operation + " failed for processor '" + processorName
                + "'" + (key == null ? "" : ", key '" + key + "'") + ": " + e.getMessage(), e);
    }

    private static void requireStorableKey(String key) {
        if (key == null) {
            throw new IllegalArgumentException("A processed-message key must not be null");
        }
        if (length(key) > MAX_MESSAGE_ID_LENGTH) {
            throw new IllegalArgumentException("A processed-message key has at most " + MAX_MESSAGE_ID_LENGTH
                    + " characters, this one " + length(key) + ": '" + key.substring(0, key.offsetByCodePoints(0, 40)) + "...'");
        }
    }

    private static boolean storable(String key) {
        return key != null && length(key) <= MAX_MESSAGE_ID_LENGTH;
    }

    /** Characters as the database counts them (code points, not UTF-16 units). */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }
}
