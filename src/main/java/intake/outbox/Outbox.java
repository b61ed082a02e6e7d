package intake.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.database.StatementTimeout;
import intake.publish.KafkaRecords;
import intake.publish.RecordHeaderFilter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox table: stores the Kafka records of an event when Kafka is out (all of them in one
 * transaction, so an event is stored whole or not at all), and hands them back to the relay,
 * oldest first, claimed with FOR UPDATE SKIP LOCKED so several instances relay side by side
 * without sending one customer's records in parallel; rows Kafka refuses for good go to quarantine.
 */
public class Outbox {

    /** Set on the exchange when its records went to the outbox instead of Kafka. */
    public static final String STORED = "intakeStoredInOutbox";

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() { };

    private final DataSource dataSource;
    private final Clock clock;
    private final String instanceId;
    private final Duration claimLease;
    private final StatementTimeout statementTimeout;

    // Whether records wait, without a query per request: events this instance stored since a count
    // last found the table empty, or rows (any instance's) that the last count found.
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong storedWhenLastEmpty = new AtomicLong();
    private volatile boolean rowsAtLastCount;

    /**
     * @param statementTimeout bounds the one statement a request waits for, the store: a database
     *                         that takes connections but does not answer fails the request (503)
     *                         instead of holding it
     */
    public Outbox(DataSource dataSource, Clock clock, String instanceId, Duration claimLease, StatementTimeout statementTimeout) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.instanceId = instanceId;
        this.claimLease = claimLease;
        this.statementTimeout = statementTimeout;
    }

    /** Stores the exchange's records (a list of Kafka messages); 503 for the caller when it cannot. */
    @SuppressWarnings("unchecked")
    public void store(Exchange exchange) {
        List<Message> records = exchange.getIn().getBody(List.class);
        Timestamp now = Timestamp.from(clock.instant());
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = statementTimeout.prepare(connection,
                    "insert into outbox (topic, record_key, record_value, headers, created_at) values (?, ?, ?, ?, ?)")) {
                for (Message record : records) {
                    insert.setString(1, record.getHeader(KafkaRecords.TOPIC_HEADER, String.class));
                    insert.setString(2, record.getHeader(KafkaConstants.KEY, String.class));
                    insert.setBytes(3, record.getBody(byte[].class));
                    insert.setString(4, headersJson(record));
                    insert.setTimestamp(5, now);
                    insert.addBatch();
                }
                insert.executeBatch();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new OutboxUnavailableException("Kafka is out and the outbox could not store the event: " + e.getMessage(), e);
        }
        stored.incrementAndGet();
        exchange.setProperty(STORED, true);
    }

    /**
     * Claims up to {@code limit} rows, oldest first, for this instance's relay. A row whose key has
     * an older row claimed by another relay is left alone, so one customer's records are never
     * sent by two relays at once; claims take turns (outbox_claim_turn), so each sees the claims
     * made before it, and the sends run side by side.
     */
    public List<OutboxRow> claim(int limit) {
        Instant now = clock.instant();
        List<OutboxRow> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement turn = connection.prepareStatement("select id from outbox_claim_turn where id = 1 for update");
                 PreparedStatement select = connection.prepareStatement(
                    "select o.id, o.topic, o.record_key, o.record_value, o.headers from outbox o"
                            + " where (o.claimed_until is null or o.claimed_until < ?)"
                            + " and not exists (select 1 from outbox p where p.record_key = o.record_key and p.id < o.id"
                            + " and p.claimed_until >= ?)"
                            + " order by o.id limit ? for update skip locked");
                 PreparedStatement mark = connection.prepareStatement(
                         "update outbox set claimed_until = ?, claimed_by = ? where id = ?")) {
                turn.executeQuery().close();
                select.setTimestamp(1, Timestamp.from(now));
                select.setTimestamp(2, Timestamp.from(now));
                select.setInt(3, limit);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        rows.add(row(row));
                    }
                }
                for (OutboxRow row : rows) {
                    mark.setTimestamp(1, Timestamp.from(now.plus(claimLease)));
                    mark.setString(2, instanceId);
                    mark.setLong(3, row.id());
                    mark.addBatch();
                }
                mark.executeBatch();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot claim outbox rows: " + e.getMessage(), e);
        }
        return rows;
    }

    /** Deletes rows the broker acknowledged. */
    public void delete(Collection<Long> ids) {
        byId(ids, "delete from outbox where id = ?", "delete relayed");
    }

    /** Gives claimed rows back at once when they were not relayed, instead of waiting for the lease to end. */
    public void release(Collection<Long> ids) {
        byId(ids, "update outbox set claimed_until = null, claimed_by = null where id = ?", "release");
    }

    /** Moves a row the broker refuses for good to outbox_quarantine, with the failure, in one transaction. */
    public void quarantine(OutboxRow row, Throwable failure) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement copy = connection.prepareStatement(
                    "insert into outbox_quarantine (id, topic, record_key, record_value, headers, created_at, exception_class,"
                            + " exception_message, quarantined_at, quarantined_by)"
                            + " select id, topic, record_key, record_value, headers, created_at, ?, ?, ?, ? from outbox where id = ?");
                 PreparedStatement delete = connection.prepareStatement("delete from outbox where id = ?")) {
                copy.setString(1, failure.getClass().getName());
                copy.setString(2, failure.getMessage());
                copy.setTimestamp(3, Timestamp.from(clock.instant()));
                copy.setString(4, instanceId);
                copy.setLong(5, row.id());
                copy.executeUpdate();
                delete.setLong(1, row.id());
                delete.executeUpdate();
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot quarantine outbox row " + row.id() + ": " + e.getMessage(), e);
        }
    }

    /** How many rows wait in quarantine for an operator. */
    public long quarantined() {
        return count("select count(*) from outbox_quarantine");
    }

    /**
     * Whether records wait in the outbox, as of this instance's own stores and the last
     * {@link #depth()} count (the relay counts every run, so other instances' rows are seen within
     * one relay interval). New events queue behind them, so one customer's events keep their order.
     */
    public boolean waiting() {
        return rowsAtLastCount || stored.get() > storedWhenLastEmpty.get();
    }

    /**
     * Whether records of the same keys as these records wait in the outbox: records of such a key
     * queue behind them, so the relay, oldest first, keeps one customer's order. Records of other
     * keys need not wait, and go to Kafka: a loaded edge whose outbox still holds a few rows (one
     * opening of the breaker) then drains it, instead of sending every request there for as long as
     * any row waits (docs/adr/0008). Asks the database (index outbox_key_id) only while
     * {@link #waiting()} says rows wait; a record without a key has no order to keep.
     */
    public boolean waitingFor(List<Message> records) {
        if (!waiting()) {
            return false;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Message record : records) {
            String key = record.getHeader(KafkaConstants.KEY, String.class);
            if (key != null) {
                keys.add(key);
            }
        }
        if (keys.isEmpty()) {
            return false;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = statementTimeout.prepare(connection,
                     "select 1 from outbox where record_key in (" + "?, ".repeat(keys.size() - 1) + "?) limit 1")) {
            int index = 1;
            for (String key : keys) {
                select.setString(index++, key);
            }
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        } catch (SQLException e) {
            throw new OutboxUnavailableException("Records wait in the outbox and it could not say whether this event's keys"
                    + " are among them, so the event cannot be sent in order: " + e.getMessage(), e);
        }
    }

    /** How many records wait in the outbox (quarantined rows are not waiting: they are in their own table). */
    public long depth() {
        long storedBefore = stored.get();
        long depth = count("select count(*) from outbox");
        rowsAtLastCount = depth > 0;
        if (depth == 0) {
            // every store counted in storedBefore had committed before this count, and is gone
            storedWhenLastEmpty.accumulateAndGet(storedBefore, Math::max);
        }
        return depth;
    }

    private long count(String sql) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement(sql);
             ResultSet row = count.executeQuery()) {
            row.next();
            return row.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot count outbox rows: " + e.getMessage(), e);
        }
    }

    private void byId(Collection<Long> ids, String sql, String what) {
        if (ids.isEmpty()) {
            return;
        }
        try (Connection connection = dataSource.getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            for (Long id : ids) {
                statement.setLong(1, id);
                statement.addBatch();
            }
            statement.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot " + what + " outbox rows: " + e.getMessage(), e);
        }
    }

    private static OutboxRow row(ResultSet row) throws SQLException {
        long id = row.getLong("id");
        Map<String, String> stored;
        try {
            stored = JSON.readValue(row.getString("headers"), HEADERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Outbox row " + id + " has unreadable headers", e);
        }
        // Rows are written by store() through the same rule; a row from elsewhere (an older
        // version, a hand-made insert) still never sets a control header of the relayed record.
        Map<String, String> headers = new LinkedHashMap<>();
        stored.forEach((name, value) -> {
            if (RecordHeaderFilter.allowed(name)) {
                headers.put(name, value);
            } else {
                LOG.warn("Outbox row {}: header '{}' is not a record header and is not relayed", id, name);
            }
        });
        return new OutboxRow(id, row.getString("topic"), row.getString("record_key"), row.getBytes("record_value"), headers);
    }

    /** The record's own headers (the Kafka headers it would have carried), as JSON text. */
    private static String headersJson(Message record) {
        try {
            return JSON.writeValueAsString(RecordHeaderFilter.recordHeaders(record));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write outbox headers", e);
        }
    }
}
