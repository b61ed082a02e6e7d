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

    // One statement, so a replayed ticket updates its row instead of failing on the key.
    private static final String UPSERT = """
            insert into tickets (ticket_id, customer_id, channel, status, agent, category, priority, escalated, reply,
                                 received_at, processed_at)
            values (?, ?, ?, 'processed', ?, ?, ?, ?, ?, ?, ?)
            on conflict (ticket_id) do update set status = excluded.status, agent = excluded.agent,
                category = excluded.category, priority = excluded.priority, escalated = excluded.escalated,
                reply = excluded.reply, processed_at = excluded.processed_at""";

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
             PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            upsert.setString(1, ticket.getTicketId().toString());
            upsert.setString(2, ticket.getCustomerId());
            upsert.setString(3, ticket.getChannel());
            upsert.setString(4, decision.agent());
            upsert.setString(5, decision.category());
            upsert.setString(6, decision.priority());
            upsert.setBoolean(7, decision.escalate());
            upsert.setString(8, decision.reply());
            upsert.setTimestamp(9, Timestamp.from(ticket.getReceivedAt()));
            upsert.setTimestamp(10, Timestamp.from(processedAt));
            upsert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot record the decision for ticket " + ticket.getTicketId(), e);
        }
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
    public int contactsSince(String customerId, Instant since) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(
                     "select count(*) from tickets where customer_id = ? and received_at >= ?")) {
            count.setString(1, customerId);
            count.setTimestamp(2, Timestamp.from(since));
            try (ResultSet row = count.executeQuery()) {
                row.next();
                return row.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot count the recent tickets of a customer", e);
        }
    }
}
