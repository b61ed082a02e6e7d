package intake.database;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * The bound on each request and consumer statement, as JDBC's query timeout: the driver cancels a
 * statement that runs longer (pgjdbc sends PostgreSQL a cancel request; H2 checks it while it runs),
 * and the statement fails instead of holding its thread (docs/adr/0012).
 */
public final class StatementTimeout {

    private final int seconds;

    private StatementTimeout(int seconds) {
        this.seconds = seconds;
    }

    /**
     * @param timeout whole seconds, at least one: JDBC counts query timeouts in seconds, and 0 would mean none
     * @throws IllegalStateException naming intake.database.statement-timeout otherwise
     */
    public static StatementTimeout of(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.toMillis() < 1000 || timeout.toMillis() % 1000 != 0 || timeout.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalStateException("intake.database.statement-timeout must be a whole number of seconds, at least 1s,"
                    + " not " + timeout + ": JDBC query timeouts count whole seconds, and 0 would leave statements unbounded");
        }
        return new StatementTimeout((int) timeout.toSeconds());
    }

    public Duration duration() {
        return Duration.ofSeconds(seconds);
    }

    /** Prepares {@code sql} on {@code connection}, bounded by this timeout. */
    public PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        statement.setQueryTimeout(seconds);
        return statement;
    }

    @Override
    public String toString() {
        return seconds + " s";
    }
}
