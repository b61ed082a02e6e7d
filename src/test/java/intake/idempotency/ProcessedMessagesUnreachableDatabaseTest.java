package intake.idempotency;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A database that cannot be reached is an exception naming the operation, never a quiet "not
 * processed yet" or "duplicate": the consumer's error policy must see it and retry.
 */
class ProcessedMessagesUnreachableDatabaseTest {

    private static JdbcProcessedMessages repository;
    private static String url;

    @BeforeAll
    static void pointAtAClosedPort() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        url = "jdbc:postgresql://127.0.0.1:" + closedPort + "/test";
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        dataSource.setUser("postgres");
        dataSource.setConnectTimeout(2);
        repository = new JdbcProcessedMessages(dataSource, "unreachable", Clock.systemUTC());
    }

    static Stream<Arguments> operations() {
        return Stream.of(
                // add() is the idempotent consumer's name for a claim
                Arguments.of("claim", (Consumer<JdbcProcessedMessages>) r -> r.add("T-1")),
                Arguments.of("contains", (Consumer<JdbcProcessedMessages>) r -> r.contains("T-1")),
                Arguments.of("remove", (Consumer<JdbcProcessedMessages>) r -> r.remove("T-1")),
                Arguments.of("clear", (Consumer<JdbcProcessedMessages>) JdbcProcessedMessages::clear),
                Arguments.of("purge", (Consumer<JdbcProcessedMessages>) r -> r.purgeOlderThan(Instant.now())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("operations")
    void everyOperationFailsWithAnExceptionNamingIt(String operation, Consumer<JdbcProcessedMessages> call) {
        assertThatThrownBy(() -> call.accept(repository))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("processed_messages " + operation + " failed for processor 'unreachable'")
                .hasRootCauseInstanceOf(ConnectException.class)
                .cause().isInstanceOf(SQLException.class);
    }

    @Test
    void aClaimNamesTheKeyAndTheCause() {
        assertThatThrownBy(() -> repository.add("T-42"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("processed_messages claim failed for processor 'unreachable', key 'T-42': ")
                .hasMessageContaining("Connection to 127.0.0.1:")
                .hasMessageContaining("refused");
    }
}
