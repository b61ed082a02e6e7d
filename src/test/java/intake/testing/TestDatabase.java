package intake.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/**
 * The test database settings in one place. Tests run against a real PostgreSQL:
 * {@code INTAKE_TEST_DB_URL} (default {@value #DEFAULT_URL}), {@code INTAKE_TEST_DB_USER}
 * (default {@value #DEFAULT_USER}) and {@code INTAKE_TEST_DB_PASSWORD} (default empty).
 * H2 in PostgreSQL mode, the embedded database of the local run, is here for the tests that prove
 * the same SQL works on both.
 */
public final class TestDatabase {

    public static final String URL_VARIABLE = "INTAKE_TEST_DB_URL";
    public static final String USER_VARIABLE = "INTAKE_TEST_DB_USER";
    public static final String PASSWORD_VARIABLE = "INTAKE_TEST_DB_PASSWORD";
    public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    public static final String DEFAULT_USER = "postgres";

    /** The options of the local run's H2 database: PostgreSQL syntax and PostgreSQL's defaults. */
    public static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";

    private static final int REACHABLE_WITHIN_SECONDS = 3;

    private static HikariDataSource postgres;
    private static String schema;

    private TestDatabase() {
    }

    public static String url() {
        return setting(URL_VARIABLE, DEFAULT_URL);
    }

    /** The test database's URL with {@code currentSchema} set, so a run's tables live in a schema of its own. */
    public static String url(String schema) {
        return url() + (url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public static String user() {
        return setting(USER_VARIABLE, DEFAULT_USER);
    }

    public static String password() {
        return setting(PASSWORD_VARIABLE, "");
    }

    /**
     * This JVM's schema in the test database, created on first use and dropped when the JVM exits:
     * every test's tables live there, so runs never see each other's rows or migrations. Fails the
     * test with what to do when PostgreSQL does not answer within 3 s.
     */
    public static synchronized String schema() {
        if (schema == null) {
            String name = "intake_it_" + Long.toString(ProcessHandle.current().pid(), 36) + "_"
                    + Long.toString(System.nanoTime() % 100_000, 36);
            try (Connection connection = connect(); Statement create = connection.createStatement()) {
                create.execute("create schema " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot create the test schema " + name + ": " + e.getMessage(), e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    dropSchema(name);
                } catch (RuntimeException | AssertionError e) {
                    System.err.println("Could not drop test schema " + name + ": " + e.getMessage());
                }
            }, "drop-test-schema"));
            schema = name;
        }
        return schema;
    }

    /** The test PostgreSQL, on this JVM's {@link #schema()}, as a small connection pool this JVM shares (closed at exit). */
    public static synchronized DataSource postgres() {
        if (postgres == null) {
            HikariConfig config = new HikariConfig();
            config.setPoolName("intake-test-postgres");
            config.setJdbcUrl(url(schema()));
            config.setUsername(user());
            config.setPassword(password());
            config.setMaximumPoolSize(12);
            config.setMinimumIdle(0);
            config.setConnectionTimeout(REACHABLE_WITHIN_SECONDS * 1000L);
            postgres = new HikariDataSource(config);
            HikariDataSource pool = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(pool::close, "test-postgres-close"));
        }
        return postgres;
    }

    /** The JDBC URL of an H2 file database in {@code dir}, in PostgreSQL mode as the local run has it. */
    public static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("intake") + H2_OPTIONS;
    }

    /** An H2 file database in {@code dir}, in PostgreSQL mode (a connection per call, no pool). */
    public static DataSource h2(Path dir) {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(h2Url(dir));
        h2.setUser("sa");
        h2.setPassword("");
        return h2;
    }

    /**
     * A pool of its own on a schema of its own, created and migrated: for a test whose rows no
     * running Intake of this JVM may see (a relay would take them). Close it, then {@link #dropSchema}.
     */
    public static HikariDataSource migratedSchema(String name) throws SQLException {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(url(name));
        pool.setUsername(user());
        pool.setPassword(password());
        try (Connection connection = pool.getConnection(); Statement create = connection.createStatement()) {
            create.execute("create schema if not exists " + name);
        }
        Flyway.configure().dataSource(pool).schemas(name).load().migrate();
        return pool;
    }

    /** Applies the project's Flyway migrations ({@code classpath:db/migration}). */
    public static void migrate(DataSource dataSource) {
        Flyway.configure().dataSource(dataSource).load().migrate();
    }

    /** A connection of its own to the test database, or the test fails with what to do. */
    private static Connection connect() {
        Properties properties = new Properties();
        properties.setProperty("user", user());
        properties.setProperty("password", password());
        properties.setProperty("connectTimeout", String.valueOf(REACHABLE_WITHIN_SECONDS));
        properties.setProperty("loginTimeout", String.valueOf(REACHABLE_WITHIN_SECONDS));
        try {
            return DriverManager.getConnection(url(), properties);
        } catch (SQLException e) {
            String cause = String.valueOf(e.getMessage()).strip().replaceAll("\\.+$", "");
            throw new AssertionError("PostgreSQL is not reachable at " + url() + " as " + user() + ": " + cause
                    + ". Start it (pg_ctlcluster 15 main start) or point " + URL_VARIABLE + " at one ("
                    + USER_VARIABLE + ", " + PASSWORD_VARIABLE + " for the login).", e);
        }
    }

    /**
     * Drops a schema and all in it, on a connection of its own (at exit, shutdown hooks run
     * concurrently and the shared pool may be closing).
     */
    public static void dropSchema(String name) {
        try (Connection connection = connect(); Statement drop = connection.createStatement()) {
            drop.execute("drop schema if exists " + name + " cascade");
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot drop the test schema " + name + ": " + e.getMessage(), e);
        }
    }

    private static String setting(String variable, String fallback) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? fallback : value;
    }
}
