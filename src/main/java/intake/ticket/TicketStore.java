package intake.ticket;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.database.StatementTimeout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Each ticket's one decision, in the {@code tickets} table: what GET /tickets/{ticketId} answers, what
 * a ticket processed again publishes instead of deciding again, and the history the repeat-contact
 * rule counts. Every statement is bounded by the {@link StatementTimeout}. A consumer's batch reads and
 * writes the decisions of many tickets at once ({@link #decisionsOf(Collection)}, {@link #recordAll},
 * {@link #recentContacts}): the same statements, one round trip each.
 */
public class TicketStore implements ContactHistory {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() { };

    // First wins: of two consumers deciding one ticket at once (a claim taken over from an owner that
    // was still working), the second keeps and publishes the first one's decision.
    private static final String INSERT = """
            insert into tickets (ticket_id, customer_id, channel, received_at, status, agent, category, priority, escalated,
                                 reply, escalation_reasons, agent_latency_ms, processed_at)
            values (?, ?, ?, ?, 'processed', ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing""";
    private static final String DECISION_COLUMNS =
            "select ticket_id, customer_id, agent, category, priority, escalated, escalation_reasons, reply, agent_latency_ms,"
                    + " processed_at from tickets where ticket_id";
    private static final String DECISION = DECISION_COLUMNS + " = ?";

    /** A decision the agent just made, to be stored first-wins with the others of its batch. */
    public record Fresh(TicketEvent ticket, AgentDecision decision, long latencyMs) {
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final StatementTimeout timeout;

    public TicketStore(DataSource dataSource, Clock clock, StatementTimeout timeout) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.timeout = timeout;
    }

    /**
     * Stores the agent's decision unless the ticket has one already.
     *
     * @return the ticket's decision: this one, or the one stored before it
     */
    public TicketDecision recordOnce(TicketEvent ticket, AgentDecision decision, long latencyMs) {
        String ticketId = ticket.getTicketId().toString();
        // as the column keeps it, so a decision published again is the very same record
        Instant decidedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = timeout.prepare(connection, INSERT)) {
            bindInsert(insert, new Fresh(ticket, decision, latencyMs), decidedAt);
            if (insert.executeUpdate() == 1) {
                return new TicketDecision(decision, TicketDecision.idFor(ticketId), decidedAt, latencyMs);
            }
            return decisionOf(connection, ticketId).orElseThrow(() ->
                    new IllegalStateException("Ticket " + ticketId + " has a decision that cannot be read back"));
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Cannot record the decision for ticket " + ticketId + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stores each decision unless its ticket has one already, in one batch (ticket order, so two
     * batches racing on the same tickets never deadlock).
     *
     * @return each ticket's decision by ticket id: its fresh one, or the one stored before it
     */
    public Map<String, TicketDecision> recordAll(List<Fresh> decisions) {
        Instant decidedAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
        List<Fresh> sorted = decisions.stream()
                .sorted(Comparator.comparing(fresh -> fresh.ticket().getTicketId().toString())).toList();
        Map<String, TicketDecision> recorded = new HashMap<>();
        List<String> storedBefore = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = timeout.prepare(connection, INSERT)) {
            for (Fresh fresh : sorted) {
                bindInsert(insert, fresh, decidedAt);
                insert.addBatch();
            }
            int[] inserted = insert.executeBatch();
            for (int i = 0; i < sorted.size(); i++) {
                Fresh fresh = sorted.get(i);
                String ticketId = fresh.ticket().getTicketId().toString();
                if (inserted[i] == 0) {
                    storedBefore.add(ticketId);
                } else {
                    recorded.put(ticketId, new TicketDecision(fresh.decision(), TicketDecision.idFor(ticketId), decidedAt,
                            fresh.latencyMs()));
                }
            }
        } catch (SQLException | JsonProcessingException e) {
            throw new IllegalStateException("Cannot record the decisions of " + decisions.size() + " tickets: " + e.getMessage(), e);
        }
        if (!storedBefore.isEmpty()) {
            Map<String, TicketDecision> first = decisionsOf(storedBefore);
            for (String ticketId : storedBefore) {
                recorded.put(ticketId, Optional.ofNullable(first.get(ticketId)).orElseThrow(() ->
                        new IllegalStateException("Ticket " + ticketId + " has a decision that cannot be read back")));
            }
        }
        return recorded;
    }

    /** The stored decisions of these tickets, by ticket id; a ticket never decided is not in the map. */
    public Map<String, TicketDecision> decisionsOf(Collection<String> ticketIds) {
        Map<String, TicketDecision> decisions = new HashMap<>();
        if (ticketIds.isEmpty()) {
            return decisions;
        }
        String sql = DECISION_COLUMNS + " in (" + "?, ".repeat(ticketIds.size() - 1) + "?)";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = timeout.prepare(connection, sql)) {
            int i = 1;
            for (String ticketId : ticketIds) {
                select.setString(i++, ticketId);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    decisions.put(rows.getString("ticket_id"), decisionIn(rows));
                }
            }
            return decisions;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the decisions of " + ticketIds.size() + " tickets: " + e.getMessage(), e);
        }
    }

    /**
     * The tickets these customers sent at or after {@code from}, read once for a batch; the batch adds
     * each ticket it decides, so a later ticket of the same customer counts it as the table would.
     */
    public RecentContacts recentContacts(Collection<String> customerIds, Instant from) {
        RecentContacts contacts = new RecentContacts();
        if (customerIds.isEmpty()) {
            return contacts;
        }
        String sql = "select customer_id, received_at from tickets where received_at >= ? and customer_id in ("
                + "?, ".repeat(customerIds.size() - 1) + "?)";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = timeout.prepare(connection, sql)) {
            select.setTimestamp(1, Timestamp.from(from));
            int i = 2;
            for (String customerId : customerIds) {
                select.setString(i++, customerId);
            }
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    contacts.add(rows.getString(1), rows.getTimestamp(2).toInstant());
                }
            }
            return contacts;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the recent tickets of " + customerIds.size() + " customers", e);
        }
    }

    /** The ticket's stored decision, or empty when it was never decided. */
    public Optional<TicketDecision> decisionOf(String ticketId) {
        try (Connection connection = dataSource.getConnection()) {
            return decisionOf(connection, ticketId);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the decision of ticket " + ticketId + ": " + e.getMessage(), e);
        }
    }

    private Optional<TicketDecision> decisionOf(Connection connection, String ticketId) throws SQLException {
        try (PreparedStatement select = timeout.prepare(connection, DECISION)) {
            select.setString(1, ticketId);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(decisionIn(row)) : Optional.empty();
            }
        }
    }

    private static TicketDecision decisionIn(ResultSet row) throws SQLException {
        String ticketId = row.getString("ticket_id");
        String reasons = row.getString("escalation_reasons");
        long latency = row.getLong("agent_latency_ms");
        Long latencyMs = row.wasNull() ? null : latency;
        try {
            AgentDecision decision = new AgentDecision(ticketId, row.getString("customer_id"), row.getString("agent"),
                    row.getString("category"), row.getString("priority"), row.getBoolean("escalated"),
                    // a row stored before V5 has no reasons
                    reasons == null ? List.of() : JSON.readValue(reasons, STRINGS), row.getString("reply"));
            return new TicketDecision(decision, TicketDecision.idFor(ticketId), row.getTimestamp("processed_at").toInstant(),
                    latencyMs);
        } catch (JsonProcessingException e) {
            throw new SQLException("escalation_reasons of ticket " + ticketId + " is not a JSON list: " + e.getMessage(), e);
        }
    }

    private static void bindInsert(PreparedStatement insert, Fresh fresh, Instant decidedAt)
            throws SQLException, JsonProcessingException {
        TicketEvent ticket = fresh.ticket();
        AgentDecision decision = fresh.decision();
        insert.setString(1, ticket.getTicketId().toString());
        insert.setString(2, ticket.getCustomerId());
        insert.setString(3, ticket.getChannel());
        insert.setTimestamp(4, Timestamp.from(ticket.getReceivedAt()));
        insert.setString(5, decision.agent());
        insert.setString(6, decision.category());
        insert.setString(7, decision.priority());
        insert.setBoolean(8, decision.escalate());
        insert.setString(9, decision.reply());
        insert.setString(10, JSON.writeValueAsString(decision.escalationReasons()));
        insert.setLong(11, fresh.latencyMs());
        insert.setTimestamp(12, Timestamp.from(decidedAt));
    }

    /** The ticket's status and reply as the API shows it, or empty when no processed ticket has this id. */
    public Optional<Map<String, Object>> find(String ticketId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = timeout.prepare(connection,
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
             PreparedStatement count = timeout.prepare(connection,
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
