package intake.config;

import intake.ingress.IntakeRejection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Semaphore;

/**
 * How many bytes of request bodies the public port holds in memory at once, across every request
 * ({@code intake.http.max-body-bytes-in-flight}). Each channel's limit bounds one body; the threads
 * bound how many are read at once; neither bounds their product, which at 200 threads and 256 KiB
 * bodies, each copied a few times on its way to Kafka, is more than a small heap holds. A request
 * whose body does not fit in what is left gets a 503 with {@code Retry-After}, before its body is
 * read: the JVM does not run out of memory because of what callers send (docs/adr/0016).
 */
final class RequestBodyBudget {

    private final long maxBytes;
    private final Semaphore free;

    RequestBodyBudget(long maxBytes, MeterRegistry registry) {
        if (maxBytes < 1 || maxBytes > Integer.MAX_VALUE) {
            throw new IllegalStateException("intake.http.max-body-bytes-in-flight must be between 1 and "
                    + Integer.MAX_VALUE + " bytes, not " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.free = new Semaphore((int) maxBytes);
        Gauge.builder("intake.http.body.in.flight", free, permits -> maxBytes - permits.availablePermits())
                .description("Bytes of request bodies held in memory now, of intake.http.max-body-bytes-in-flight")
                .baseUnit("bytes").register(registry);
    }

    /** Takes {@code bytes} of the budget, or refuses the request (503) when they are not free now. */
    void take(int bytes) {
        if (bytes > 0 && !free.tryAcquire(bytes)) {
            throw IntakeRejection.overloaded("Intake holds as many request bodies in memory as it may"
                    + " (intake.http.max-body-bytes-in-flight, " + maxBytes + " bytes); retry in a moment");
        }
    }

    /** Gives back what {@link #take} took, once the request is answered. */
    void give(int bytes) {
        if (bytes > 0) {
            free.release(bytes);
        }
    }
}
