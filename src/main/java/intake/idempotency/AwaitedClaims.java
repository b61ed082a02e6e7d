package intake.idempotency;

import java.time.Duration;
import java.util.Objects;
import org.apache.camel.spi.IdempotentRepository;

/**
 * The consumer's view of {@link JdbcProcessedMessages}: a key held by a live owner is waited for,
 * up to one lease (time enough for a dead owner's claim to lapse), and never reported as a
 * duplicate; if it is still held then, {@link ClaimHeldException} fails the exchange so the record
 * is read again instead of committed.
 */
public class AwaitedClaims implements IdempotentRepository {

    private static final long RECHECK_MS = 250;

    private final JdbcProcessedMessages claims;
    private final Duration wait;

    public AwaitedClaims(JdbcProcessedMessages claims) {
        this.claims = Objects.requireNonNull(claims, "claims");
        this.wait = claims.terms().lease();
    }

    /** How long {@link #add(String)} waits for a held key at most, besides its statements. */
    public Duration maximumWait() {
        return wait;
    }

    /**
     * @return {@code true} to process the message (a new key, or one taken over), {@code false} for a confirmed duplicate
     * @throws ClaimHeldException when a live owner still holds the key after the wait
     */
    @Override
    public boolean add(String key) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            JdbcProcessedMessages.Claim claim = claims.claim(key);
            if (claim != JdbcProcessedMessages.Claim.HELD) {
                return claim == JdbcProcessedMessages.Claim.NEW;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new ClaimHeldException(key, wait);
            }
            try {
                Thread.sleep(Math.min(RECHECK_MS, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClaimHeldException(key, wait);
            }
        }
    }

    @Override
    public boolean contains(String key) {
        return claims.contains(key);
    }

    @Override
    public boolean remove(String key) {
        return claims.remove(key);
    }

    @Override
    public boolean confirm(String key) {
        return claims.confirm(key);
    }

    @Override
    public void clear() {
        claims.clear();
    }

    @Override
    public void start() {
    }

    @Override
    public void stop() {
    }
}
