package intake.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.publish.KafkaRecords;
import intake.publish.RecordHeaderFilter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * oldest first, claimed with FOR UPDATE SKIP LOCKED so several instances relay side by side.
 */
public class Outbox {

    /** Set on the exchange when its records went to the outbox instead of Kafka. */
    public static final String STORED = "intakeStoredInOutbox";
    /** The ids of the rows a relay batch claimed. */
    public static final String CLAIMED_IDS = "intakeOutboxIds";

    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> HEADERS = new TypeReference<>() { };

    private final DataSource dataSource;
    private final Clock clock;
    private final String instanceId;
    private final Duration claimLease;

    // Whether records wait, without a query per request: events this instance stored since a count
    // last found the table empty, or rows (any instance's) that the last count found.
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong storedWhenLastEmpty = new AtomicLong();
    private volatile boolean rowsAtLastCount;

    public Outbox(DataSource dataSource, Clock clock, String instanceId, Duration claimLease) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.instanceId = instanceId;
        this.claimLease = claimLease;
    }

    /** Stores the exchange's records (a list of Kafka messages); 503 for the caller when it cannot. */
    @SuppressWarnings("unchecked")
    public void store(Exchange exchange) {
        List<Message> records = exchange.getIn().getBody(List.class);
        Timestamp now = Timestamp.from(clock.instant());
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
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

    /** Claims up to {@code limit} unclaimed rows, oldest first, and returns them as Kafka messages. */
    public List<Message> claim(Exchange exchange, int limit) {
        Instant now = clock.instant();
        List<Message> records = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement select = connection.prepareStatement(
                    "select id, topic, record_key, record_value, headers from outbox"
                            + " where claimed_until is null or claimed_until < ? order by id limit ? for update skip locked");
                 PreparedStatement mark = connection.prepareStatement(
                         "update outbox set claimed_until = ?, claimed_by = ? where id = ?")) {
                select.setTimestamp(1, Timestamp.from(now));
                select.setInt(2, limit);
                try (ResultSet row = select.executeQuery()) {
                    while (row.next()) {
                        ids.add(row.getLong("id"));
                        records.add(message(exchange, row));
                    }
                }
                for (Long id : ids) {
                    mark.setTimestamp(1, Timestamp.from(now.plus(claimLease)));
                    mark.setString(2, instanceId);
                    mark.setLong(3, id);
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
        exchange.setProperty(CLAIMED_IDS, ids);
        return records;
    }

    /** Deletes the rows of a relayed batch, once the broker acknowledged every record of it. */
    @SuppressWarnings("unchecked")
    public int delete(Exchange exchange) {
        List<Long> ids = exchange.getProperty(CLAIMED_IDS, List.class);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement("delete from outbox where id = ?")) {
            for (Long id : ids) {
                delete.setLong(1, id);
                delete.addBatch();
            }
            delete.executeBatch();
            return ids.size();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot delete relayed outbox rows: " + e.getMessage(), e);
        }
    }

    /** Gives a batch's rows back at once when its relay failed, instead of waiting for the lease to end. */
    @SuppressWarnings("unchecked")
    public void release(Exchange exchange) {
        List<Long> ids = exchange.getProperty(CLAIMED_IDS, List.class);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement release = connection.prepareStatement(
                     "update outbox set claimed_until = null, claimed_by = null where id = ?")) {
            for (Long id : ids) {
                release.setLong(1, id);
                release.addBatch();
            }
            release.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot release outbox rows: " + e.getMessage(), e);
        }
    }

    /**
     * Whether records wait in the outbox, as of this instance's own stores and the last
     * {@link #depth()} count (the relay counts every run, so other instances' rows are seen within
     * one relay interval). New events queue behind them, so one customer's events keep their order.
     */
    public boolean waiting() {
        return rowsAtLastCount || stored.get() > storedWhenLastEmpty.get();
    }

    /** How many records wait in the outbox. */
    public long depth() {
        long storedBefore = stored.get();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement count = connection.prepareStatement("select count(*) from outbox");
             ResultSet row = count.executeQuery()) {
            row.next();
            long depth = row.getLong(1);
            rowsAtLastCount = depth > 0;
            if (depth == 0) {
                // every store counted in storedBefore had committed before this count, and is gone
                storedWhenLastEmpty.accumulateAndGet(storedBefore, Math::max);
            }
            return depth;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot count outbox rows: " + e.getMessage(), e);
        }
    }

    private static Message message(Exchange exchange, ResultSet row) throws SQLException {
        long id = row.getLong("id");
        Message record = KafkaRecords.newRecord(exchange, row.getString("topic"), row.getString("record_key"));
        Map<String, String> headers;
        try {
            headers = JSON.readValue(row.getString("headers"), HEADERS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Outbox row " + id + " has unreadable headers", e);
        }
        // Rows are written by store() through the same rule; a row from elsewhere (an older
        // version, a hand-made insert) still never sets a control header of the relayed record.
        headers.forEach((name, value) -> {
            if (RecordHeaderFilter.allowed(name)) {
                record.setHeader(name, value);
            } else {
                LOG.warn("Outbox row {}: header '{}' is not a record header and is not relayed", id, name);
            }
        });
        record.setBody(row.getBytes("record_value"));
        return record;
    }

    /** The record's own headers (the Kafka headers it would have carried), as JSON text. */
    private static String headersJson(Message record) {
        Map<String, String> headers = new LinkedHashMap<>();
        record.getHeaders().forEach((name, value) -> {
            if (RecordHeaderFilter.allowed(name) && value != null) {
                headers.put(name, value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : value.toString());
            }
        });
        try {
            return JSON.writeValueAsString(headers);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write outbox headers", e);
        }
    }
}
