package intake.forensics;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs dead-letter replays one at a time on a thread of their own, so the operator's request
 * does not wait for one, and remembers how the recent ones ended.
 */
public class DeadLetterReplays implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterReplays.class);

    /** Replays whose state is kept for GET /actuator/dlqreplay/{id}; older ones are forgotten. */
    private static final int KEPT = 100;

    public enum State { running, done, failed }

    /** One replay: what was asked, by whom, and how far it got. */
    public record Replay(String id, String requestedBy, Integer partition, Long fromOffset, Long toOffset,
                         String startedAt, State state, String finishedAt, DeadLetterReplay.Result result, String message) {

        private Replay ended(State state, String finishedAt, DeadLetterReplay.Result result, String message) {
            return new Replay(id, requestedBy, partition, fromOffset, toOffset, startedAt, state, finishedAt, result, message);
        }
    }

    /** The answer to a request for a replay: the one started, or the one still running (started false). */
    public record Start(boolean started, Replay replay) {
    }

    private final DeadLetterReplay replay;
    private final Clock clock;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
        Thread replayThread = new Thread(task, "dlq-replay");
        replayThread.setDaemon(true);
        return replayThread;
    });
    private final Map<String, Replay> replays = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Replay> eldest) {
            return size() > KEPT;
        }
    };
    private String running;

    public DeadLetterReplays(DeadLetterReplay replay, Clock clock) {
        this.replay = replay;
        this.clock = clock;
    }

    /** Starts a replay of [fromOffset, toOffset] of one partition (all when null), unless one is running. */
    public synchronized Start start(String user, Integer partition, Long fromOffset, Long toOffset) {
        if (running != null) {
            return new Start(false, replays.get(running));
        }
        Replay started = new Replay(UUID.randomUUID().toString(), user, partition, fromOffset, toOffset,
                clock.instant().toString(), State.running, null, null, null);
        replays.put(started.id(), started);
        running = started.id();
        LOG.info("Dead-letter replay {} started by {}: partition {}, offsets {} to {}", started.id(), user,
                partition == null ? "all" : partition, fromOffset == null ? "first" : fromOffset, toOffset == null ? "last" : toOffset);
        thread.execute(() -> run(started));
        return new Start(true, started);
    }

    public synchronized Optional<Replay> find(String id) {
        return Optional.ofNullable(replays.get(id));
    }

    private void run(Replay started) {
        Replay ended;
        try {
            DeadLetterReplay.Result result = replay.replay(started.partition(), started.fromOffset(), started.toOffset());
            String message = result.limitReached()
                    ? "Stopped after intake.consumer.dlq.replay-max-records (" + result.maxRecords()
                      + ") records: replay the rest from nextOffsets, one call per partition"
                    : null;
            ended = started.ended(State.done, clock.instant().toString(), result, message);
            LOG.info("Dead-letter replay {} by {} done: {} replayed {}, {} skipped{}", started.id(), started.requestedBy(),
                    result.replayed(), result.byTopic(), result.skipped().size(),
                    result.limitReached() ? ", stopped at the limit; next offsets " + result.nextOffsets() : "");
        } catch (RuntimeException e) {
            ended = started.ended(State.failed, clock.instant().toString(), null, e.getMessage());
            LOG.warn("Dead-letter replay {} by {} failed: {}", started.id(), started.requestedBy(), e.getMessage(), e);
        }
        synchronized (this) {
            replays.put(ended.id(), ended);
            running = null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
