package intake.ticket;

import java.time.Instant;

/** How often a customer wrote in lately, for the triage agent's repeat-contact trigger. */
public interface ContactHistory {

    // Only earlier tickets count, so a threshold of 3 means "three tickets before this one". The
    // window ends where the ticket being decided was received, not now: a ticket decided late (in
    // the consumer after an outage, or replayed from the dead-letter topic) is not escalated for
    // tickets the customer sent after it.
    // Failures may propagate; the triage agent turns them into a transient AgentUnavailableException.

    /** How many tickets this customer sent at or after {@code from} and before {@code until}. */
    int contactsBetween(String customerId, Instant from, Instant until);
}
