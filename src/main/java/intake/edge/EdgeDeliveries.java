package intake.edge;

import intake.database.StatementTimeout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The edge's memory of accepted deliveries, table {@code edge_deliveries} (Flyway V7), shared by
 * every instance: a delivery is claimed before its events are published, confirmed once they are
 * durable, and released when the publish failed, so that only a published delivery is ever
 * answered as a duplicate (ADR 0013). The claim is one {@code INSERT ... ON CONFLICT DO NOTHING}:
 * of concurrent deliveries of one message the database lets exactly one insert. One statement per
 * connection, in auto-commit; plain JDBC, no Spring. Thread-safe.
 */
public class EdgeDeliveries {

    /** Longer ids are stored as their SHA-256: the column, and a B-tree entry, stay small. */
    static final int MAX_MESSAGE_ID_LENGTH = 200;

    private static final String INSERT = "INSERT INTO edge_deliveries (channel, source, message_id, ticket_id,"
            + " correlation_id, fingerprint, claim_token, confirmed, claimed_until, created_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, false, ?, ?) ON CONFLICT DO NOTHING";
    private static final String SELECT = "SELECT ticket_id, correlation_id, fingerprint, confirmed, claimed_until"
            + " FROM edge_deliveries WHERE channel = ? AND source = ? AND message_id = ?";
    // One statement: of several deliveries taking over the same expired claim, the row lock lets one win.
    // The ticket id stays: the expired claim's events may have been published before its instance died.
    private static final String TAKE_OVER = "UPDATE edge_deliveries SET claim_token = ?, claimed_until = ?,"
            + " correlation_id = ?, created_at = ? WHERE channel = ? AND source = ? AND message_id = ?"
            + " AND confirmed = false AND claimed_until < ?";
    private static final String CONFIRM = "UPDATE edge_deliveries SET confirmed = true, claimed_until = NULL"
            + " WHERE channel = ? AND source = ? AND message_id = ? AND claim_token = ?";
    private static final String RELEASE = "DELETE FROM edge_deliveries"
            + " WHERE channel = ? AND source = ? AND message_id = ? AND claim_token = ? AND confirmed = false";
    private static final String PURGE = "DELETE FROM edge_deliveries WHERE created_at < ?";
    /** A claim meets a row that changes under it (released, taken over) at most this often before it gives up. */
    private static final int ATTEMPTS = 3;

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration lease;
    private final StatementTimeout statementTimeout;

    /**
     * @param lease how long an unconfirmed claim holds before another delivery may take it over:
     *              longer than any request takes to publish (its instance died if it is still unconfirmed)
     */
    public EdgeDeliveries(DataSource dataSource, Clock clock, Duration lease, StatementTimeout statementTimeout) {
        this.statementTimeout = Objects.requireNonNull(statementTimeout, "statementTimeout");
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lease = Objects.requireNonNull(lease, "lease");
    }

    /** One delivery's identity: channel, source, and the provider's message id or the Idempotency-Key. */
    public record Key(String channel, String source, String messageId) {

        public Key {
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(messageId, "messageId");
            if (messageId.codePointCount(0, messageId.length()) > MAX_MESSAGE_ID_LENGTH) {
                messageId = "sha256:" + sha256(messageId.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    public enum Outcome {
        /** This delivery holds the claim: publish, then confirm or release. */
        CLAIMED,
        /** Published before: answer with the stored ticket id and correlation id, publish nothing. */
        ANSWERED,
        /** Another delivery holds an unexpired claim: it is being published right now. */
        IN_PROGRESS,
        /** The key was used with another fingerprint (a web form Idempotency-Key with another body). */
        KEY_REUSED
    }

    /** The claim's outcome, with the ticket and correlation ids the answer carries. */
    public record Claim(Outcome outcome, String ticketId, String correlationId) {
    }

    /**
     * Claims the delivery for {@code token}, or says why not.
     *
     * @param fingerprint what must match for a repeat to be the same request (null: anything matches)
     * @throws IllegalStateException when the database fails
     */
    public Claim claim(Key key, String ticketId, String correlationId, String fingerprint, String token) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            OffsetDateTime now = now();
            if (update("claim", INSERT, s -> {
                bindKey(s, key, 1);
                s.setString(4, ticketId);
                s.setString(5, correlationId);
                s.setString(6, fingerprint);
                s.setString(7, token);
                s.setObject(8, now.plus(lease));
                s.setObject(9, now);
            }) == 1) {
                return new Claim(Outcome.CLAIMED, ticketId, correlationId);
            }
            Claim existing = existing(key, fingerprint, now);
            if (existing == null) {
                continue; // released between the two statements: try the insert again
            }
            if (existing.outcome() != Outcome.CLAIMED) {
                return existing;
            }
            // an expired claim, never confirmed: take it over, keeping its ticket id
            if (update("take over", TAKE_OVER, s -> {
                s.setString(1, token);
                s.setObject(2, now.plus(lease));
                s.setString(3, correlationId);
                s.setObject(4, now);
                bindKey(s, key, 5);
                s.setObject(8, now);
            }) == 1) {
                return new Claim(Outcome.CLAIMED, existing.ticketId(), correlationId);
            }
        }
        return new Claim(Outcome.IN_PROGRESS, ticketId, correlationId);
    }

    /** The stored row as an outcome (CLAIMED for an expired claim that may be taken over), or null when there is none. */
    private Claim existing(Key key, String fingerprint, OffsetDateTime now) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = statementTimeout.prepare(connection, SELECT)) {
            bindKey(statement, key, 1);
            try (ResultSet row = statement.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                String ticketId = row.getString(1);
                String correlationId = row.getString(2);
                String storedFingerprint = row.getString(3);
                OffsetDateTime claimedUntil = row.getObject(5, OffsetDateTime.class);
                Outcome outcome;
                if (fingerprint != null && storedFingerprint != null && !fingerprint.equals(storedFingerprint)) {
                    outcome = Outcome.KEY_REUSED;
                } else if (row.getBoolean(4)) {
                    outcome = Outcome.ANSWERED;
                } else if (claimedUntil == null || !claimedUntil.isBefore(now)) {
                    outcome = Outcome.IN_PROGRESS;
                } else {
                    outcome = Outcome.CLAIMED;
                }
                return new Claim(outcome, ticketId, correlationId);
            }
        } catch (SQLException e) {
            throw failure("claim", e);
        }
    }

    /**
     * Marks the claim published: every later delivery is answered from it.
     *
     * @return false when the claim is no longer this token's (its lease ran out and another delivery took it over)
     */
    public boolean confirm(Key key, String token) {
        return update("confirm", CONFIRM, s -> {
            bindKey(s, key, 1);
            s.setString(4, token);
        }) == 1;
    }

    /** Deletes an unconfirmed claim of this token: its publish failed, and the retry must publish. */
    public void release(Key key, String token) {
        update("release", RELEASE, s -> {
            bindKey(s, key, 1);
            s.setString(4, token);
        });
    }

    /**
     * Deletes the deliveries created before {@code cutoff}; a retry after that is published again.
     * Unlike the request path's statements it has no statement timeout: an hour of a busy edge's
     * deliveries takes longer than a request may wait, and a purge cancelled every hour would let
     * the table grow for ever. It runs on the purge timer's thread, where nobody waits for it.
     */
    public int purgeOlderThan(Instant cutoff) {
        return update("purge", PURGE, false, s -> s.setObject(1, OffsetDateTime.ofInstant(cutoff, ZoneOffset.UTC)));
    }

    private OffsetDateTime now() {
        return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
    }

    private static void bindKey(PreparedStatement statement, Key key, int first) throws SQLException {
        statement.setString(first, key.channel());
        statement.setString(first + 1, key.source());
        statement.setString(first + 2, key.messageId());
    }

    private int update(String operation, String sql, Binder binder) {
        return update(operation, sql, true, binder);
    }

    private int update(String operation, String sql, boolean bounded, Binder binder) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement statement = bounded ? statementTimeout.prepare(connection, sql) : connection.prepareStatement(sql)) {
            binder.bind(statement);
            int count = statement.executeUpdate();
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
            return count;
        } catch (SQLException e) {
            throw failure(operation, e);
        }
    }

    private static IllegalStateException failure(String operation, SQLException e) {
        return new IllegalStateException("edge_deliveries " + operation + " failed: " + e.getMessage(), e);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }
}
