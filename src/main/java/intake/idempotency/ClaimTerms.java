package intake.idempotency;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Who claims keys and for how long: the owner (this process, a new name at every start), the lease
 * its heartbeat renews, and the longest it may renew one claim (docs/adr/0012).
 *
 * @param owner   this process; a restarted instance is a new owner, so it never mistakes the claims
 *                its previous life left behind for its own
 * @param lease   how long a claim holds without a renewal: a claim whose owner is gone lapses after it
 * @param maxHold how long after its start a claim is renewed at most: the longest one ticket can take,
 *                so a live but wedged owner does not hold a ticket for ever
 */
public record ClaimTerms(String owner, Duration lease, Duration maxHold) {

    /** The shipped lease. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(15);

    public ClaimTerms {
        Objects.requireNonNull(owner, "owner");
        if (owner.isBlank() || owner.length() > JdbcProcessedMessages.MAX_PROCESSOR_NAME_LENGTH) {
            throw new IllegalArgumentException("A claim owner has 1 to " + JdbcProcessedMessages.MAX_PROCESSOR_NAME_LENGTH
                    + " characters: '" + owner + "'");
        }
        if (lease.isNegative() || lease.isZero() || maxHold.compareTo(lease) < 0) {
            throw new IllegalArgumentException("A claim lease must be positive and at most maxHold: " + lease + ", " + maxHold);
        }
    }

    /** A name for this process: {@code instance}, then a random part that a restart changes. */
    public static String ownerOf(String instance) {
        String incarnation = UUID.randomUUID().toString().substring(0, 8);
        String base = instance.length() > 90 ? instance.substring(0, 90) : instance;
        return base + "/" + incarnation;
    }

    /** How often the heartbeat renews: a third of the lease, so two renewals may fail before a claim lapses. */
    public Duration renewalInterval() {
        return lease.dividedBy(3);
    }
}
