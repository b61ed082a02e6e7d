package intake.consumer;

import intake.idempotency.JdbcProcessedMessages;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes processed-message keys older than the horizon, on the schedule of route tickets-dedup-purge. */
public class DedupPurge {

    private static final Logger LOG = LoggerFactory.getLogger(DedupPurge.class);

    private final JdbcProcessedMessages processedMessages;
    private final Duration horizon;
    private final Clock clock;

    public DedupPurge(JdbcProcessedMessages processedMessages, Duration horizon, Clock clock) {
        this.processedMessages = processedMessages;
        this.horizon = horizon;
        this.clock = clock;
    }

    public int purge() {
        int purged = processedMessages.purgeOlderThan(clock.instant().minus(horizon));
        LOG.info("Purged {} processed-message keys older than {}", purged, horizon);
        return purged;
    }
}
