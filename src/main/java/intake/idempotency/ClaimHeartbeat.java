package intake.idempotency;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renews this process's claims every third of their lease while it lives, so a claim lapses only
 * when its owner is gone (or wedged past maxHold). Added to the CamelContext as a service: it stops
 * after the routes, so in-flight exchanges keep their claims during a graceful shutdown; a SIGKILL
 * stops it with the rest and the claims simply lapse.
 */
public class ClaimHeartbeat extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimHeartbeat.class);

    private final JdbcProcessedMessages claims;
    private ScheduledExecutorService timer;

    public ClaimHeartbeat(JdbcProcessedMessages claims) {
        this.claims = claims;
    }

    /** One renewal; a failure is logged and the next one tries again. */
    public void beat() {
        try {
            claims.renewClaims();
        } catch (RuntimeException e) {
            LOG.warn("Claim renewal failed (owner {}); its claims lapse after {} unless a renewal succeeds: {}",
                    claims.terms().owner(), claims.terms().lease(), e.getMessage());
        }
    }

    @Override
    protected void doStart() {
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "claim-heartbeat");
            thread.setDaemon(true);
            return thread;
        });
        long period = claims.terms().renewalInterval().toMillis();
        // at a fixed rate: a slow renewal does not push the next one back
        timer.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
        LOG.info("Claims of {} renewed every {} ms (lease {})", claims.terms().owner(), period, claims.terms().lease());
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
