package intake.outbox;

import intake.publish.PublishFailures;
import intake.publish.RecordSizeLimit;
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
 */
public class OutboxRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    /** Far beyond delivery.timeout.ms, after which the producer completes every send by itself. */
    private static final long RESULT_WAIT_SECONDS = 30;

    private final Outbox outbox;
    private final RecordSizeLimit sizeLimit;
    private final Supplier<Producer<String, byte[]>> producerFactory;
    private final Runnable brokerCheck;
    private final int batchSize;
    private final Counter relayed;
    private final Counter quarantined;
    private Producer<String, byte[]> producer;

    /**
     * @param sizeLimit       a row too large to send is quarantined unsent (ADR 0008, amendment)
     * @param producerFactory makes the relay's producer on first use (after start-up, when the
     *                        Kafka component is configured)
     * @param brokerCheck     the trial call when nothing waits: the breaker learns that the broker is back
     */
    public OutboxRelay(Outbox outbox, RecordSizeLimit sizeLimit, Supplier<Producer<String, byte[]>> producerFactory,
                       Runnable brokerCheck, int batchSize, MeterRegistry registry) {
        this.outbox = outbox;
        this.sizeLimit = sizeLimit;
        this.producerFactory = producerFactory;
        this.brokerCheck = brokerCheck;
        this.batchSize = batchSize;
        this.relayed = Counter.builder("intake.outbox.relayed").description("Outbox records the broker acknowledged")
                .register(registry);
        this.quarantined = Counter.builder("intake.outbox.quarantined")
                .description("Outbox records the broker refused for good, moved to outbox_quarantine").register(registry);
    }

    /**
     * Relays one batch and returns how many records landed. Throws when Kafka failed for a reason
     * that may pass (after settling every row), so the circuit breaker counts the failure.
     */
    public synchronized int relay() {
        List<OutboxRow> rows = outbox.claim(batchSize);
        if (rows.isEmpty()) {
            brokerCheck.run();
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
                results.add(kafka.send(record, (metadata, failure) -> {
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
