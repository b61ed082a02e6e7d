package intake.consumer;

import intake.agent.Agent;
import intake.idempotency.JdbcProcessedMessages;
import intake.idempotency.JdbcProcessedMessages.Claim;
import intake.ticket.RecentContacts;
import intake.ticket.TicketDecision;
import intake.ticket.TicketEvent;
import intake.ticket.TicketExchange;
import intake.ticket.TicketStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works the records of one poll as a batch (docs/adr/0015), keeping every guarantee of the record
 * path (route tickets-record): per-customer order, the claim, one stored decision, dead letters,
 * the commit after processing and the poll budget.
 *
 * <p>With an agent that only computes (triage), a batch works in rounds. A round takes, partition by partition, the records up to the first one
 * it cannot take (a poison pill, a ticket claimed elsewhere or lapsed, the same ticket twice, an agent
 * failure): it claims them in one statement, reads their stored decisions and their customers'
 * contact history in one statement each, decides the rest in record order, stores the decisions in
 * one statement, publishes all their outputs as one batch (route tickets-outputs), confirms the claims
 * in one statement and commits the records. The record a round left out first then goes through the
 * record path alone, with its redeliveries and dead letter, and the next round goes on after it. A
 * round that fails as a whole releases its claims and leaves its records to the record path. With an
 * agent that calls a service, every record goes through the record path, so the service is asked
 * exactly as often as the error policy says.
 *
 * <p>Before each step the batch asks the {@link PollBudget} whether the step still fits at its worst;
 * what does not fit, and what follows a record the record path could not finish (a claim still held,
 * a dead-letter write that failed), fails the batch: the consumer commits what was finished and reads
 * the rest again (breakOnFirstError).
 *
 * <p>Why code of our own: Camel's idempotent consumer, bean and error-handler steps work one exchange
 * at a time, and a statement per ticket is what made the consumer slow (issue #12).
 */
public class TicketBatch {

    private static final Logger LOG = LoggerFactory.getLogger(TicketBatch.class);

    /** The route that works one record alone, with the consumer's error policy. */
    static final String RECORD_PATH = "direct:tickets-record";
    /** A round's outputs, on a producer of their own (no breaker, no outbox: a failed round goes to the record path). */
    private static final String PUBLISH = "direct:tickets-outputs";

    private final TicketDataFormat ticketFormat;
    private final JdbcProcessedMessages claims;
    private final TicketStore store;
    private final Agent agent;
    private final AgentOutputs outputs;
    private final OffsetCommit offsetCommit;
    private final PollBudget budget;
    private final ProducerTemplate producer;
    private final Counter processed;
    private final Counter duplicates;
    private final Timer duration;

    public TicketBatch(TicketDataFormat ticketFormat, JdbcProcessedMessages claims, TicketStore store, Agent agent,
                       AgentOutputs outputs, OffsetCommit offsetCommit, PollBudget budget, ProducerTemplate producer,
                       MeterRegistry registry) {
        this.ticketFormat = ticketFormat;
        this.claims = claims;
        this.store = store;
        this.agent = agent;
        this.outputs = outputs;
        this.offsetCommit = offsetCommit;
        this.budget = budget;
        this.producer = producer;
        // the meters the record path's micrometer steps count in (Camel tags them with the context's name)
        String context = producer.getCamelContext().getName();
        this.processed = registry.counter("kafka.messages.processed", "status", "processed", "camelContext", context);
        this.duplicates = registry.counter("kafka.messages.processed", "status", "duplicate", "camelContext", context);
        this.duration = registry.timer("kafka.message.processing.duration", "camelContext", context);
    }

    /** The batch consumer's step: its body is the poll's records, one exchange each, in poll order. */
    public void process(Exchange batch) {
        @SuppressWarnings("unchecked")
        List<Exchange> pending = new ArrayList<>(batch.getIn().getBody(List.class));
        long started = System.nanoTime();
        while (!pending.isEmpty()) {
            if (budget.roundFits(since(started))) {
                round(batch, pending);
                if (pending.isEmpty()) {
                    break;
                }
            }
            if (!budget.recordFits(since(started))) {
                break;
            }
            Exchange record = pending.get(0);
            producer.send(RECORD_PATH, record);
            if (record.getException() != null) {
                throw new IllegalStateException("Ticket record " + position(record) + " could not be finished, it and the "
                        + (pending.size() - 1) + " records after it in this poll are read again: " + record.getException().getMessage(),
                        record.getException());
            }
            pending.remove(0);
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException("The poll's time is used up: " + pending.size() + " of its records are read again"
                    + " (the worst case of what is left does not fit in max.poll.interval.ms)");
        }
    }

    /** One round: finishes what it can of {@code pending}, and removes it from there. */
    private void round(Exchange batch, List<Exchange> pending) {
        long started = System.nanoTime();
        Round round = new Round();
        for (Exchange record : pending) {
            if (!round.open(record)) {
                continue;
            }
            TicketEvent ticket = decodedOrNull(record);
            // the record path dead-letters what cannot be decoded or claimed; a ticket twice is a duplicate there
            if (ticket == null || !JdbcProcessedMessages.storable(ticketId(ticket)) || !round.keys.add(ticketId(ticket))) {
                round.cut(record);
            } else {
                round.candidates.add(record);
            }
        }
        if (round.candidates.isEmpty()) {
            return;
        }
        List<Exchange> taken = new ArrayList<>();
        try {
            Map<String, Claim> claimed = claims.claimAll(round.keys);
            for (Exchange record : round.candidates) {
                Claim claim = claimed.get(ticketId(record));
                if (!round.open(record)) {
                    if (claim == Claim.NEW) {
                        round.released.add(record);
                    }
                } else if (claim == Claim.DONE) {
                    round.duplicates.add(record);
                } else if (claim == Claim.NEW) {
                    taken.add(record);
                } else {
                    round.cut(record);
                }
            }
            round.decided.addAll(decide(batch, round, taken));
            if (!round.decided.isEmpty()) {
                claims.confirmAll(round.decided.stream().map(TicketBatch::ticketId).toList());
            }
        } catch (RuntimeException e) {
            LOG.warn("A round of {} ticket records failed; they go through the record path one by one: {}",
                    round.candidates.size(), e.toString());
            round.released.addAll(taken);
            round.decided.clear();
        }
        release(round.released);
        finish(round, pending, started);
    }

    /**
     * Decides the taken tickets in record order: a stored decision stays, the others go to the agent
     * with their customers' contact history read once; a ticket the agent fails on is cut with the
     * rest of its partition. Stores the new decisions and publishes every output of the round.
     *
     * @return the records whose decision was stored and published
     */
    private List<Exchange> decide(Exchange batch, Round round, List<Exchange> taken) {
        if (taken.isEmpty()) {
            return List.of();
        }
        Map<String, TicketDecision> stored = store.decisionsOf(taken.stream().map(TicketBatch::ticketId).toList());
        RecentContacts contacts = contactsFor(taken, stored);
        List<TicketStore.Fresh> fresh = new ArrayList<>();
        List<Exchange> decided = new ArrayList<>();
        for (Exchange record : taken) {
            if (!round.open(record)) {
                round.released.add(record);
                continue;
            }
            TicketEvent ticket = ticket(record);
            if (!stored.containsKey(ticketId(ticket))) {
                long asked = System.nanoTime();
                try {
                    fresh.add(new TicketStore.Fresh(ticket, agent.decide(ticket, contacts), since(asked).toMillis()));
                } catch (RuntimeException e) {
                    LOG.info("The agent failed on ticket {}; it goes through the record path: {}", ticketId(ticket), e.toString());
                    round.cut(record);
                    round.released.add(record);
                    continue;
                }
                contacts.add(ticket.getCustomerId(), ticket.getReceivedAt());
            }
            decided.add(record);
        }
        if (!fresh.isEmpty()) {
            stored.putAll(store.recordAll(fresh));
        }
        List<Message> records = new ArrayList<>(decided.size() * 3);
        for (Exchange record : decided) {
            records.addAll(outputs.records(batch, ticket(record), stored.get(ticketId(record))));
        }
        if (!records.isEmpty()) {
            producer.sendBody(PUBLISH, records);
        }
        return decided;
    }

    /** The contact history the agent reads for the tickets it has to decide, in one statement. */
    private RecentContacts contactsFor(List<Exchange> taken, Map<String, TicketDecision> stored) {
        Duration window = agent.historyWindow();
        Set<String> customers = new LinkedHashSet<>();
        Instant from = null;
        for (Exchange record : taken) {
            TicketEvent ticket = ticket(record);
            if (!stored.containsKey(ticketId(ticket))) {
                customers.add(ticket.getCustomerId());
                Instant since = ticket.getReceivedAt().minus(window);
                from = from == null || since.isBefore(from) ? since : from;
            }
        }
        return window.isZero() || customers.isEmpty() ? new RecentContacts() : store.recentContacts(customers, from);
    }

    /** Releases claims a round made but did not finish, so the record path can claim them again. */
    private void release(List<Exchange> released) {
        if (released.isEmpty()) {
            return;
        }
        try {
            claims.releaseAll(released.stream().map(TicketBatch::ticketId).toList());
        } catch (RuntimeException e) {
            // their claims lapse with the lease once not renewed (docs/adr/0012); until then the record path waits
            LOG.warn("Could not release the claims of {} tickets a round did not finish: {}", released.size(), e.toString());
        }
    }

    /**
     * Commits and counts the records the round finished, and takes them off the pending list; only
     * those before the first unfinished record of their partition, as a commit covers every record
     * before it. A later one stays pending (a duplicate after a record whose round failed) and is
     * found done again.
     */
    private void finish(Round round, List<Exchange> pending, long started) {
        Duration took = since(started);
        Set<Object> blocked = new HashSet<>();
        Map<Object, Exchange> lastOfPartition = new HashMap<>();
        List<Exchange> committed = new ArrayList<>();
        for (Exchange record : pending) {
            Object partition = record.getIn().getHeader(KafkaConstants.PARTITION);
            boolean finished = round.decided.contains(record) || round.duplicates.contains(record);
            if (!finished) {
                blocked.add(partition);
            } else if (!blocked.contains(partition)) {
                committed.add(record);
                lastOfPartition.put(partition, record);
                duration.record(took);
                (round.decided.contains(record) ? processed : duplicates).increment();
            }
        }
        // one synchronous commit per partition, of its last finished record, covers the ones before it
        for (Exchange last : lastOfPartition.values()) {
            offsetCommit.commit(last.getIn().getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class));
        }
        pending.removeAll(committed);
    }

    private TicketEvent decodedOrNull(Exchange record) {
        try {
            TicketEvent ticket = ticketFormat.read(record.getIn().getBody(byte[].class));
            record.setProperty(TicketExchange.TICKET, ticket);
            return ticket;
        } catch (PoisonPillException e) {
            // the record path decodes it again and dead-letters it
            return null;
        }
    }

    private static TicketEvent ticket(Exchange record) {
        return record.getProperty(TicketExchange.TICKET, TicketEvent.class);
    }

    private static String ticketId(TicketEvent ticket) {
        return ticket.getTicketId().toString();
    }

    private static String ticketId(Exchange record) {
        return ticketId(ticket(record));
    }

    private static String position(Exchange record) {
        Message in = record.getIn();
        return in.getHeader(KafkaConstants.TOPIC) + "/" + in.getHeader(KafkaConstants.PARTITION) + "@" + in.getHeader(KafkaConstants.OFFSET);
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    /** What one round took, finished, released and cut. */
    private static final class Round {
        final List<Exchange> candidates = new ArrayList<>();
        final Set<String> keys = new LinkedHashSet<>();
        final Set<Exchange> decided = new HashSet<>();
        final Set<Exchange> duplicates = new HashSet<>();
        final List<Exchange> released = new ArrayList<>();
        /** For each cut partition, the offset from which its records are left to the record path. */
        private final Map<Object, Long> cutFrom = new HashMap<>();

        /** Whether the record comes before any cut of its partition in this round. */
        boolean open(Exchange record) {
            Long cut = cutFrom.get(partition(record));
            return cut == null || offset(record) < cut;
        }

        /** Leaves this record and every later one of its partition to the record path. */
        void cut(Exchange record) {
            cutFrom.merge(partition(record), offset(record), Math::min);
        }

        private static Object partition(Exchange record) {
            return record.getIn().getHeader(KafkaConstants.PARTITION);
        }

        private static long offset(Exchange record) {
            return record.getIn().getHeader(KafkaConstants.OFFSET, Long.class);
        }
    }
}
