package intake.consumer;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The longest the records of one poll can hold their consumer thread, checked at start-up against
 * Kafka's {@code max.poll.interval.ms} (docs/adr/0010). A consumer thread processes every record
 * of a poll, with all its redeliveries, before it polls again; a member that does not poll within
 * the interval is dropped from its group, and its partitions are read again by another while it
 * is still processing them: one customer's tickets out of order, records dead-lettered twice.
 *
 * <p>The worst case of one record, with every attempt failing as slowly as it can:
 * <pre>
 *   redelivery delays                      sum of the back-off schedule
 * + attempts x (agent call                 Agent#longestCall: the HTTP agent's timeout, 0 for triage
 *               + 5 database steps          stored decision, contact history, decision insert and,
 *                                           on a conflict, its read, outbox (Kafka bypassed)
 *               + 1 Kafka send)             the outputs batch
 * + the claim wait                          a key held by a live owner is waited for (AwaitedClaims)
 * + 4 database steps                        the claim (insert, read, take-over), its confirm or release
 * + 1 Kafka send                            the dead-letter record
 * </pre>
 * A database step waits at most the pool's connection timeout for a connection plus the statement
 * timeout for its statement (docs/adr/0012); a Kafka send gives up after max-block-ms +
 * delivery-timeout-ms.
 */
public record PollBudget(int maxPollRecords, Redelivery redelivery, Duration agentCall, Duration databaseStep,
                         Duration kafkaSend, Duration claimWait) {

    private static final int DATABASE_STEPS_PER_ATTEMPT = 5;
    private static final int DATABASE_STEPS_PER_RECORD = 4;

    /** The dead-letter channel's schedule: Camel's exponential back-off, each delay capped at the maximum. */
    public record Redelivery(int maximumRedeliveries, Duration initialDelay, double multiplier, Duration maximumDelay) {

        public Redelivery {
            if (maximumRedeliveries < 0) {
                throw new IllegalStateException("intake.consumer.redelivery.maximum-redeliveries must be 0 or more, not "
                        + maximumRedeliveries + ": Camel's -1 redelivers for ever, and its record would hold its partition for good");
            }
        }

        /** All the waits between the attempts of one record. */
        public Duration totalDelay() {
            long total = 0;
            long delay = initialDelay.toMillis();
            for (int i = 0; i < maximumRedeliveries; i++) {
                delay = Math.min(delay, maximumDelay.toMillis());
                total += delay;
                delay = Math.round(delay * Math.max(multiplier, 1));
            }
            return Duration.ofMillis(total);
        }

        public int attempts() {
            return maximumRedeliveries + 1;
        }
    }

    /** One attempt failing as slowly as it can. */
    public Duration attempt() {
        return agentCall.plus(databaseStep.multipliedBy(DATABASE_STEPS_PER_ATTEMPT)).plus(kafkaSend);
    }

    /** What a record costs once, whatever its attempts: the claim and its wait, its confirm or release, the dead-letter write. */
    public Duration perRecord() {
        return claimWait.plus(databaseStep.multipliedBy(DATABASE_STEPS_PER_RECORD)).plus(kafkaSend);
    }

    public Duration worstCasePerRecord() {
        return redelivery.totalDelay().plus(attempt().multipliedBy(redelivery.attempts())).plus(perRecord());
    }

    public Duration worstCasePerPoll() {
        return worstCasePerRecord().multipliedBy(maxPollRecords);
    }

    /** Refuses a configuration whose poll can outlast the interval, saying what to change. */
    public void requireWithin(Duration maxPollInterval) {
        Duration poll = worstCasePerPoll();
        if (poll.compareTo(maxPollInterval) < 0) {
            return;
        }
        Duration record = worstCasePerRecord();
        long fitting = (maxPollInterval.toMillis() - 1) / record.toMillis();
        String remedy = fitting > 0
                ? "lower intake.consumer.max-poll-records to at most " + fitting + ", or raise intake.consumer.max-poll-interval-ms"
                : "not even one record fits: shorten the redeliveries or the agent's timeout, or raise intake.consumer.max-poll-interval-ms";
        throw new IllegalStateException("intake.consumer.max-poll-records (" + maxPollRecords + ") x the worst case of one record ("
                + seconds(record) + " s: " + seconds(redelivery.totalDelay()) + " s of redelivery delays + "
                + redelivery.attempts() + " attempts x " + seconds(attempt()) + " s + " + seconds(perRecord()) + " s) = "
                + seconds(poll) + " s must stay below intake.consumer.max-poll-interval-ms (" + seconds(maxPollInterval)
                + " s), or Kafka drops a consumer thread from its group while it still processes a poll's records; " + remedy);
    }

    @Override
    public String toString() {
        return maxPollRecords + " records x " + seconds(worstCasePerRecord()) + " s at worst = " + seconds(worstCasePerPoll()) + " s";
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString();
    }
}
