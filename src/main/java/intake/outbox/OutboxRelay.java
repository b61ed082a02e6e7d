package intake.outbox;

import intake.publish.PublishFailures;
import intake.publish.RecordSizeLimit;
import intake.publish.TopicProvisioner;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbox relay's work, one batch at a time: sends the claimed rows and settles each by its own
 * acknowledgement. A row that landed is deleted, one the broker refuses for good (or too large to
 * send at all) is quarantined, and the others are given back, so a batch that fails part way never
 * sends again what landed.
 * <p>
 * Each batch is a call of the Kafka circuit breaker, so the relay's trial calls close it once the
 * broker is back. The breaker judges Kafka, so it is told how long Kafka took: the slowest record's
 * time from send to acknowledgement, not the whole batch's, which grows with its size and with the
 * database work around it. Judged by the batch, a full outbox drained on busy cores looked like a
 * slow broker, the breaker opened again, and Intake stayed bypassed under load (docs/adr/0014).
 */
public class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    /** Far beyond delivery.timeout.ms, after which the producer completes every send by itself. */
    private static final long RESULT_WAIT_SECONDS = 30;

    private final Outbox outbox;
    private final CircuitBreaker breaker;
    private final RecordSizeLimit sizeLimit;
    private final Supplier<Producer<String, byte[]>> producerFactory;
    private final TopicProvisioner topics;
    private final int batchSize;
    private final Counter relayed;
    private final Counter quarantined;
    private Producer<String, byte[]> producer;

    /**
     * @param breaker         the circuit breaker around Kafka, whose calls the relay's batches are
     * @param sizeLimit       a row too large to send is quarantined unsent (ADR 0008, amendment)
     * @param producerFactory makes the relay's producer on first use (after start-up, when the
     *                        Kafka component is configured)
     * @param topics          creates the topics first if start-up could not; its broker check is the
     *                        trial call when nothing waits, so the breaker learns that the broker is back
     */
    public OutboxRelay(Outbox outbox, CircuitBreaker breaker, RecordSizeLimit sizeLimit, Supplier<Producer<String, byte[]>> producerFactory,
                       TopicProvisioner topics, int batchSize, MeterRegistry registry) {
        this.outbox = outbox;
        this.breaker = breaker;
        this.sizeLimit = sizeLimit;
        this.producerFactory = producerFactory;
        this.topics = topics;
        this.batchSize = batchSize;
        this.relayed = Counter.builder("intake.outbox.relayed").description("Outbox records the broker acknowledged")
                .register(registry);
        this.quarantined = Counter.builder("intake.outbox.quarantined")
                .description("Outbox records the broker refused for good, moved to outbox_quarantine").register(registry);
    }

    /**
     * Relays batch after batch while they come full, for at most {@code withinMillis}. With one batch
     * per tick of the relay's timer (500 records per 200 ms) the outbox drained slower than a loaded
     * edge fills it, and while older records wait there every new request joins them (one customer's order),
     * so a few seconds of bypass under load kept every later request on the outbox for as long as the
     * load lasted (bench/http-intake.sh, docs/adr/0014).
     *
     * @return how many records landed
     */
    public int drain(long withinMillis) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
        int total = 0;
        int landed;
        do {
            landed = relay();
            total += landed;
        } while (landed == batchSize && System.nanoTime() < until);
        return total;
    }

    /**
     * Relays one batch, when the breaker permits a call, and returns how many records landed.
     * Throws when Kafka failed for a reason that may pass (after settling every row), which the
     * breaker counts as a failure.
     */
    public synchronized int relay() {
        if (!breaker.tryAcquirePermission()) {
            return 0; // open: the relay waits like every caller
        }
        long start = System.nanoTime();
        AtomicLong kafkaNanos = new AtomicLong();
        try {
            int landed = relayBatch(kafkaNanos);
            breaker.onSuccess(kafkaNanos.get(), TimeUnit.NANOSECONDS);
            return landed;
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, e);
            throw e;
        }
    }

    private int relayBatch(AtomicLong kafkaNanos) {
        long start = System.nanoTime();
        topics.ensureTopics();
        List<OutboxRow> rows = outbox.claim(batchSize);
        if (rows.isEmpty()) {
            topics.checkBroker();
            kafkaNanos.set(System.nanoTime() - start);
            return 0;
        }
        Producer<String, byte[]> kafka = producer();
        // Once a send fails for a reason that may pass, the rest of the batch is not sent: it would
        // fail the same way, and a customer's later record must not land before its earlier one.
        AtomicReference<Exception> stop = new AtomicReference<>();
        List<Future<RecordMetadata>> results = new ArrayList<>(rows.size());
        for (OutboxRow row : rows) {
            if (stop.get() != null) {
                break;
            }
            ProducerRecord<String, byte[]> record = row.record();
            Optional<RecordTooLargeException> tooLarge = sizeLimit.tooLarge(record);
            if (tooLarge.isPresent()) {
                results.add(CompletableFuture.failedFuture(tooLarge.get()));
                continue;
            }
            try {
                long sent = System.nanoTime();
                results.add(kafka.send(record, (metadata, failure) -> {
                    kafkaNanos.accumulateAndGet(System.nanoTime() - sent, Math::max);
                    if (failure != null && !PublishFailures.isRefusedForGood(failure)) {
                        stop.compareAndSet(null, failure);
                    }
                }));
            } catch (RuntimeException e) {
                stop.compareAndSet(null, e);
                results.add(CompletableFuture.failedFuture(e));
            }
        }
        return settle(rows, results, stop);
    }

    private int settle(List<OutboxRow> rows, List<Future<RecordMetadata>> results, AtomicReference<Exception> stop) {
        List<Long> landed = new ArrayList<>();
        List<Long> giveBack = new ArrayList<>();
        Map<OutboxRow, Throwable> refused = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            OutboxRow row = rows.get(i);
            if (i >= results.size()) {
                giveBack.add(row.id()); // not sent
                continue;
            }
            Throwable failure = failure(results.get(i));
            if (failure == null) {
                landed.add(row.id());
            } else if (PublishFailures.isRefusedForGood(failure)) {
                refused.put(row, failure);
            } else {
                stop.compareAndSet(null, failure instanceof Exception e ? e : new IllegalStateException(failure));
                giveBack.add(row.id());
            }
        }
        // what landed first: a failure further on must not send it again
        outbox.delete(landed);
        relayed.increment(landed.size());
        outbox.release(giveBack);
        refused.forEach((row, failure) -> {
            outbox.quarantine(row, failure);
            quarantined.increment();
            LOG.error("Outbox row {} (topic {}, key {}) quarantined: the broker refuses it for good ({}). The relay goes on;"
                    + " see outbox_quarantine and docs/runbook.md#outbox-rows-quarantined", row.id(), row.topic(), row.key(),
                    failure.toString());
        });
        if (stop.get() != null) {
            throw new OutboxRelayException(landed.size() + " of " + rows.size() + " outbox records relayed, " + giveBack.size()
                    + " given back: " + stop.get(), stop.get());
        }
        return landed.size();
    }

    private static Throwable failure(Future<RecordMetadata> result) {
        try {
            result.get(RESULT_WAIT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) {
            producer = producerFactory.get();
        }
        return producer;
    }

    @Override
    public synchronized void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
