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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

import javax.sql.DataSource;

import intake.database.StatementTimeout;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The idempotent consumer's memory of processed messages, a JDBC table shared by every instance:
 * {@code processed_messages (processor_name, message_id, created_at, confirmed, claimed_until, claimed_by)},
 * primary key {@code (processor_name, message_id)} (Flyway V1, V4, V5).
 *
 * <p>{@link #claim(String)} claims a key with ONE atomic statement that the primary key guards,
 * {@code INSERT ... ON CONFLICT DO NOTHING}: of any number of consumers racing on the same key
 * (threads, or instances on other machines) exactly one inserts it; the database decides, nothing is
 * checked first. That is why this class exists instead of Camel's {@code JdbcMessageIdRepository},
 * whose {@code add()} counts the key first and then inserts, a check-then-insert in which two
 * consumers can both see 0 and both go on.
 *
 * <p>A claim belongs to its owner (this process, {@link ClaimTerms#owner()}) and holds for a short
 * lease that {@link #renewClaims()} (the {@link ClaimHeartbeat}) extends while the owner lives.
 * {@link #confirm(String)} marks it done once the message was processed. A claim that was never
 * confirmed and whose lease ran out (its owner died, even by SIGKILL: nothing has to run for it to
 * lapse) is taken over by the next {@code claim}, in one {@code UPDATE} that a row lock gives to one
 * consumer only. A claim that is neither done nor lapsed is {@link Claim#HELD}: someone is processing
 * it right now, and it must not be mistaken for a duplicate (docs/adr/0012).
 *
 * <p>A consumer's batch claims, confirms and releases many keys at once ({@link #claimAll},
 * {@link #confirmAll}, {@link #releaseAll}): the same statements, sent as one JDBC batch (one round
 * trip on PostgreSQL), in key order so that two batches racing on the same keys lock them in the
 * same order and never deadlock.
 *
 * <p>{@link #remove(String)} releases the owner's own unconfirmed claim, for a message that failed or
 * went to the dead-letter topic, so a replay of it is processed. {@link #purgeOlderThan(Instant)}
 * deletes keys past the retention horizon.
 *
 * <p>The same SQL runs on PostgreSQL and on H2 2.x in {@code MODE=PostgreSQL}. Every statement but
 * the purge and {@link #clear()} is bounded by the {@link StatementTimeout}; the purge may take long
 * on a large table and runs on a timer thread of its own. Connections come from the
 * {@link DataSource} for one statement each and are expected in auto-commit; one that is not is
 * committed here, so a claim is visible to the other consumers as soon as it is made.
 *
 * <p>A database failure surfaces as an {@link IllegalStateException} naming the operation (the
 * consumer's error policy treats it as transient); a key the table cannot hold (null, or over
 * {@value #MAX_MESSAGE_ID_LENGTH} characters) is an {@link IllegalArgumentException}, which no
 * retry can fix. Plain JDBC and Camel only, no Spring. Thread-safe.
 */
public class JdbcProcessedMessages implements IdempotentRepository {

    /** The length of the {@code message_id} column. */
    public static final int MAX_MESSAGE_ID_LENGTH = 200;

    /** The length of the {@code processor_name} and {@code claimed_by} columns. */
    public static final int MAX_PROCESSOR_NAME_LENGTH = 100;

    /** What a {@link #claim(String)} found. */
    public enum Claim {
        /** This call claimed the key, new or taken over from an owner that is gone: process the message. */
        NEW,
        /** The key was processed and confirmed: a duplicate. */
        DONE,
        /** A live owner's claim, not confirmed yet: the message is being processed elsewhere, not a duplicate. */
        HELD
    }

    private static final String INSERT = "INSERT INTO processed_messages"
            + " (processor_name, message_id, created_at, confirmed, claimed_until, claimed_by) VALUES (?, ?, ?, false, ?, ?)"
            + " ON CONFLICT DO NOTHING";
    private static final String STATE =
            "SELECT confirmed, claimed_until FROM processed_messages WHERE processor_name = ? AND message_id = ?";
    // One statement: of several consumers taking over the same lapsed claim, the row lock lets one win.
    private static final String TAKE_OVER = "UPDATE processed_messages SET created_at = ?, claimed_until = ?, claimed_by = ?"
            + " WHERE processor_name = ? AND message_id = ? AND confirmed = false AND (claimed_until IS NULL OR claimed_until < ?)";
    // Only the owner confirms or releases: an owner that lost its claim (it lapsed while the owner was
    // stuck, and another took it over) must not end the new owner's claim.
    private static final String CONFIRM = "UPDATE processed_messages SET confirmed = true, claimed_until = NULL, claimed_by = NULL"
            + " WHERE processor_name = ? AND message_id = ? AND claimed_by = ?";
    private static final String DELETE = "DELETE FROM processed_messages"
            + " WHERE processor_name = ? AND message_id = ? AND confirmed = false AND claimed_by = ?";
    // Claims older than maxHold are no longer renewed: a wedged owner loses them.
    private static final String RENEW = "UPDATE processed_messages SET claimed_until = ?"
            + " WHERE claimed_by = ? AND processor_name = ? AND confirmed = false AND created_at > ?";
    private static final String SELECT =
            "SELECT 1 FROM processed_messages WHERE processor_name = ? AND message_id = ?";
    private static final String DELETE_ALL =
            "DELETE FROM processed_messages WHERE processor_name = ?";
    private static final String DELETE_OLDER =
            "DELETE FROM processed_messages WHERE processor_name = ? AND created_at < ?";

    private final DataSource dataSource;
    private final String processorName;
    private final Clock clock;
    private final ClaimTerms terms;
    private final StatementTimeout timeout;

    /** With a random owner, the default lease, and statements bounded at 5 s. */
    public JdbcProcessedMessages(DataSource dataSource, String processorName, Clock clock) {
        this(dataSource, processorName, clock, new ClaimTerms(ClaimTerms.ownerOf("intake"), ClaimTerms.DEFAULT_LEASE,
                Duration.ofMinutes(10)), StatementTimeout.of(Duration.ofSeconds(5)));
    }

    /**
     * @param dataSource    the database holding {@code processed_messages}
     * @param processorName whose keys these are (at most {@value #MAX_PROCESSOR_NAME_LENGTH} characters);
     *                      consumers with different names never see each other's keys
     * @param clock         the time stamped on each key and lease, which the purge and other owners compare against
     * @param terms         this owner and its lease
     * @param timeout       the bound on each statement but the purge
     */
    public JdbcProcessedMessages(DataSource dataSource, String processorName, Clock clock, ClaimTerms terms,
                                 StatementTimeout timeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(processorName, "processorName");
        if (processorName.isBlank() || length(processorName) > MAX_PROCESSOR_NAME_LENGTH) {
            throw new IllegalArgumentException("processorName must be 1 to " + MAX_PROCESSOR_NAME_LENGTH
                    + " characters, not blank: '" + processorName + "'");
        }
        this.processorName = processorName;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.terms = Objects.requireNonNull(terms, "terms");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    public String getProcessorName() {
        return processorName;
    }

    public ClaimTerms terms() {
        return terms;
    }

    /**
     * Claims {@code key} for this owner: one statement for a new key, two for a duplicate, three for a take-over.
     *
     * @throws IllegalArgumentException if the key is null or longer than {@value #MAX_MESSAGE_ID_LENGTH} characters
     * @throws IllegalStateException    if the database cannot be reached, refuses the statement or times out
     */
    public Claim claim(String key) {
        requireStorableKey(key);
        // a key released between the insert and the read is claimed on the next round
        for (int round = 0; round < 2; round++) {
            OffsetDateTime now = now();
            OffsetDateTime leaseEnd = now.plus(terms.lease());
            if (update("claim", key, INSERT, statement -> {
                statement.setString(1, processorName);
                statement.setString(2, key);
                statement.setObject(3, now);
                statement.setObject(4, leaseEnd);
                statement.setString(5, terms.owner());
            }) == 1) {
                return Claim.NEW;
            }
            Optional<Claim> found = state(key, now);
            if (found.isEmpty()) {
                continue;
            }
            if (found.get() != Claim.NEW) {
                return found.get();
            }
            return update("claim", key, TAKE_OVER, statement -> {
                statement.setObject(1, now);
                statement.setObject(2, leaseEnd);
                statement.setString(3, terms.owner());
                statement.setString(4, processorName);
                statement.setString(5, key);
                statement.setObject(6, now);
            }) == 1 ? Claim.NEW : Claim.HELD;
        }
        return Claim.HELD;
    }

    /**
     * Claims each key for this owner, as {@link #claim(String)} would, in one batch of inserts and at
     * most one read: NEW for a key this call inserted, DONE for a confirmed one, HELD for any other
     * (held by a live owner, or lapsed: {@link #claim(String)} takes such a key over, one at a time).
     *
     * @throws IllegalArgumentException if a key is null or too long
     * @throws IllegalStateException    if the database cannot be reached, refuses a statement or times out
     */
    public Map<String, Claim> claimAll(Collection<String> keys) {
        List<String> sorted = List.copyOf(new TreeSet<>(keys));
        sorted.forEach(JdbcProcessedMessages::requireStorableKey);
        Map<String, Claim> claims = new HashMap<>();
        if (sorted.isEmpty()) {
            return claims;
        }
        OffsetDateTime now = now();
        OffsetDateTime leaseEnd = now.plus(terms.lease());
        int[] inserted = batch("claim", INSERT, sorted, (statement, key) -> {
            statement.setString(1, processorName);
            statement.setString(2, key);
            statement.setObject(3, now);
            statement.setObject(4, leaseEnd);
            statement.setString(5, terms.owner());
        });
        List<String> notInserted = new ArrayList<>();
        for (int i = 0; i < sorted.size(); i++) {
            // a driver may answer SUCCESS_NO_INFO (-2) for a row it inserted; only 0 means the key was there
            if (inserted[i] == 0) {
                notInserted.add(sorted.get(i));
            } else {
                claims.put(sorted.get(i), Claim.NEW);
            }
        }
        if (notInserted.isEmpty()) {
            return claims;
        }
        notInserted.forEach(key -> claims.put(key, Claim.HELD));
        String sql = "SELECT message_id FROM processed_messages WHERE processor_name = ? AND confirmed = true AND message_id IN ("
                + "?, ".repeat(notInserted.size() - 1) + "?)";
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = timeout.prepare(connection, sql)) {
            statement.setString(1, processorName);
            for (int i = 0; i < notInserted.size(); i++) {
                statement.setString(i + 2, notInserted.get(i));
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    claims.put(rows.getString(1), Claim.DONE);
                }
                endTransaction(connection);
            }
        } catch (SQLException e) {
            throw failure("claim", null, e);
        }
        return claims;
    }

    /** Marks this owner's claims on these keys done, as {@link #confirm(String)} does each. */
    public void confirmAll(Collection<String> keys) {
        ownClaims("confirm", CONFIRM, keys);
    }

    /** Releases this owner's unconfirmed claims on these keys, as {@link #remove(String)} does each. */
    public void releaseAll(Collection<String> keys) {
        ownClaims("remove", DELETE, keys);
    }

    /**
     * Camel's contract: {@code true} to process the message. A key held by a live owner is skipped like
     * a duplicate here, which suits a caller whose message comes again anyway (route intake-bypass:
     * the consumer reads the ticket once the relay publishes it); the consumer itself must use
     * {@link AwaitedClaims}, which never skips a held key.
     */
    @Override
    public boolean add(String key) {
        return claim(key) == Claim.NEW;
    }

    /**
     * Extends the lease of this owner's unconfirmed claims younger than {@link ClaimTerms#maxHold()}.
     *
     * @return how many claims were renewed
     */
    public int renewClaims() {
        OffsetDateTime now = now();
        return update("renew", null, RENEW, statement -> {
            statement.setObject(1, now.plus(terms.lease()));
            statement.setString(2, terms.owner());
            statement.setString(3, processorName);
            statement.setObject(4, now.minus(terms.maxHold()));
        });
    }

    @Override
    public boolean contains(String key) {
        if (!storable(key)) {
            return false;
        }
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = timeout.prepare(connection, SELECT)) {
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

    /** Releases this owner's unconfirmed claim, so the message is processed when it comes again (a dead-letter replay). */
    @Override
    public boolean remove(String key) {
        return storable(key) && ownClaim("remove", key, DELETE);
    }

    /** Marks this owner's claim done: the message was processed, and no one may take it over. */
    @Override
    public boolean confirm(String key) {
        return storable(key) && ownClaim("confirm", key, CONFIRM);
    }

    /** Deletes every key of this processor (and of no other); not bounded by the statement timeout. */
    @Override
    public void clear() {
        update("clear", null, DELETE_ALL, null, statement -> statement.setString(1, processorName));
    }

    /**
     * Deletes this processor's keys created before {@code cutoff} (a key created exactly at the
     * cutoff stays).
     *
     * @return how many keys were deleted
     */
    public int purgeOlderThan(Instant cutoff) {
        OffsetDateTime before = OffsetDateTime.ofInstant(Objects.requireNonNull(cutoff, "cutoff"), ZoneOffset.UTC);
        return update("purge", null, DELETE_OLDER, null, statement -> {
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

    private boolean ownClaim(String operation, String key, String sql) {
        return update(operation, key, sql, statement -> {
            statement.setString(1, processorName);
            statement.setString(2, key);
            statement.setString(3, terms.owner());
        }) == 1;
    }

    private void ownClaims(String operation, String sql, Collection<String> keys) {
        List<String> sorted = keys.stream().filter(JdbcProcessedMessages::storable).sorted().distinct().toList();
        if (!sorted.isEmpty()) {
            batch(operation, sql, sorted, (statement, key) -> {
                statement.setString(1, processorName);
                statement.setString(2, key);
                statement.setString(3, terms.owner());
            });
        }
    }

    /** One statement per key, sent as one JDBC batch; the counts of each. */
    private int[] batch(String operation, String sql, List<String> keys, KeyBinder binder) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = timeout.prepare(connection, sql)) {
            for (String key : keys) {
                binder.bind(statement, key);
                statement.addBatch();
            }
            int[] counts;
            try {
                counts = statement.executeBatch();
            } catch (SQLException e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            endTransaction(connection);
            return counts;
        } catch (SQLException e) {
            throw failure(operation, null, e);
        }
    }

    /** NEW for a lapsed claim (to take over), DONE, HELD, or empty when there is no row. */
    private Optional<Claim> state(String key, OffsetDateTime now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = timeout.prepare(connection, STATE)) {
            statement.setString(1, processorName);
            statement.setString(2, key);
            try (ResultSet rows = statement.executeQuery()) {
                Optional<Claim> found = Optional.empty();
                if (rows.next()) {
                    OffsetDateTime until = rows.getObject(2, OffsetDateTime.class);
                    found = Optional.of(rows.getBoolean(1) ? Claim.DONE
                            : until != null && !until.isBefore(now) ? Claim.HELD : Claim.NEW);
                }
                endTransaction(connection);
                return found;
            }
        } catch (SQLException e) {
            throw failure("claim", key, e);
        }
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private int update(String operation, String key, String sql, Binder binder) {
        return update(operation, key, sql, timeout, binder);
    }

    private int update(String operation, String key, String sql, StatementTimeout bound, Binder binder) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = bound == null ? connection.prepareStatement(sql) : bound.prepare(connection, sql)) {
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

    /** Whether the table can hold this key: not null, at most {@value #MAX_MESSAGE_ID_LENGTH} characters. */
    public static boolean storable(String key) {
        return key != null && length(key) <= MAX_MESSAGE_ID_LENGTH;
    }

    /** Characters as the database counts them (code points, not UTF-16 units). */
    private static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    @FunctionalInterface
    private interface KeyBinder {
        void bind(PreparedStatement statement, String key) throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }
}
