package intake.ticket;

import intake.agent.AgentDecision;
import intake.agent.ContactHistory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.apache.camel.ExchangeProperty;

/**
 * The agent's decision for each processed ticket, in the {@code tickets} table: what
 * GET /tickets/{ticketId} answers, and the history the repeat-contact rule counts.
 */
public class TicketStore implements ContactHistory {

    // Update first, insert when there was nothing to update: portable to H2 (no ON CONFLICT DO
    // UPDATE there), and no race, since the idempotent consumer lets one instance process a ticket.
    private static final String UPDATE = """
            update tickets set status = 'processed', agent = ?, category = ?, priority = ?, escalated = ?, reply = ?,
                processed_at = ? where ticket_id = ?""";
    private static final String INSERT = """
            insert into tickets (agent, category, priority, escalated, reply, processed_at, ticket_id, customer_id, channel,
                                 received_at, status)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'processed')""";

    private final DataSource dataSource;
    private final Clock clock;

    public TicketStore(DataSource dataSource, Clock clock) {
        this.dataSource = dataSource;
        this.clock = clock;
    }

    /** Records the decision the agent just made for the ticket. */
    public void record(@ExchangeProperty(TicketExchange.TICKET) TicketEvent ticket, @Body AgentDecision decision) {
        Instant processedAt = clock.instant();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement(UPDATE)) {
            setDecision(update, decision, processedAt, ticket.getTicketId().toString());
            if (update.executeUpdate() == 0) {
                try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                    setDecision(insert, decision, processedAt, ticket.getTicketId().toString());
                    insert.setString(8, ticket.getCustomerId());
                    insert.setString(9, ticket.getChannel());
                    insert.setTimestamp(10, Timestamp.from(ticket.getReceivedAt()));
                    insert.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record the decision for ticket " + ticket.getTicketId(), e);
        }
    }

    /** Parameters 1 to 7 of both statements: the decision, then the ticket id. */
    private static void setDecision(PreparedStatement statement, AgentDecision decision, Instant processedAt, String ticketId)
            throws SQLException {
        statement.setString(1, decision.agent());
        statement.setString(2, decision.category());
        statement.setString(3, decision.priority());
        statement.setBoolean(4, decision.escalate());
        statement.setString(5, decision.reply());
        statement.setTimestamp(6, Timestamp.from(processedAt));
        statement.setString(7, ticketId);
    }

    /** The ticket's status and reply as the API shows it, or empty when no processed ticket has this id. */
    public Optional<Map<String, Object>> find(String ticketId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "select ticket_id, channel, status, category, priority, escalated, reply, received_at, processed_at"
                             + " from tickets where ticket_id = ?")) {
            select.setString(1, ticketId);
            try (ResultSet row = select.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                Map<String, Object> ticket = new LinkedHashMap<>();
                ticket.put("ticketId", row.getString("ticket_id"));
                ticket.put("channel", row.getString("channel"));
                ticket.put("status", row.getString("status"));
                ticket.put("category", row.getString("category"));
                ticket.put("priority", row.getString("priority"));
                ticket.put("escalated", row.getBoolean("escalated"));
                ticket.put("reply", row.getString("reply"));
                ticket.put("receivedAt", row.getTimestamp("received_at").toInstant().toString());
                ticket.put("processedAt", row.getTimestamp("processed_at").toInstant().toString());
                return Optional.of(ticket);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read ticket " + ticketId, e);
        }
    }

    @Override
    public int contactsBetween(String customerId, Instant from, Instant until) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(
                     "select count(*) from tickets where customer_id = ? and received_at >= ? and received_at < ?")) {
            count.setString(1, customerId);
            count.setTimestamp(2, Timestamp.from(from));
            count.setTimestamp(3, Timestamp.from(until));
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot count the recent tickets of a customer", e);
        }
    }
}
