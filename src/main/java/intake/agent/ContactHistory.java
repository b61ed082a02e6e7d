package intake.agent;

import java.time.Instant;

/** How often a customer wrote in lately, for the triage agent's repeat-contact trigger. */
public interface ContactHistory {

    // Only earlier tickets count, so a threshold of 3 means "three tickets before this one": an
    // implementation records the current ticket after the agent decided, or leaves it out of the count.
    // Failures may propagate; the triage agent turns them into a transient AgentUnavailableException.

    /** How many tickets this customer sent at or after {@code since}, not counting the ticket being decided. */
    int contactsSince(String customerId, Instant since);
}
