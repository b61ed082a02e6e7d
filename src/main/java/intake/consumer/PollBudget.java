package intake.consumer;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * The longest the records of one poll can hold their consumer thread, checked at start-up against
 * Kafka's {@code max.poll.interval.ms} (docs/adr/0010, docs/adr/0015). A consumer thread works a
 * poll's records as one batch ({@link TicketBatch}) before it polls again; a member that does not
 * poll within the interval is dropped from its group, and its partitions are read again by another
 * while it is still processing them: one customer's tickets out of order, records dead-lettered twice.
 *
 * <p>Camel's batching consumer can hand a thread two batches between two polls (one cut by
 * {@code batchingIntervalMs}, then a full one), so each batch has half the interval. A batch works in
 * rounds: a round claims, decides, stores, publishes and confirms many tickets at once; a record that
 * a round leaves out (a poison pill, a claim held elsewhere, a failure) goes through the record path
 * alone, with its redeliveries and dead letter. Before each step the batch checks that the step, at
 * its worst, still fits in its half; what does not fit is read again by the next poll.
 *
 * <p>Rounds are for an agent that only computes (triage); with an agent that calls a service, every
 * record goes through the record path, so that the service is asked exactly as often as the error
 * policy says. One round failing as slowly as it can:
 * <pre>
 *   8 database steps                     the claims (insert, read), stored decisions, contact history,
 *                                        the decisions (insert, read-back), confirms, releases
 * + 1 send of the outputs producer       the outputs of every ticket of the round (route tickets-outputs)
 * </pre>
 * One record through the record path, every attempt failing as slowly as it can:
 * <pre>
 *   redelivery delays                      sum of the back-off schedule
 * + attempts x (agent call
 *               + 5 database steps          stored decision, contact history, decision insert and,
 *                                           on a conflict, its read, outbox (Kafka bypassed)
 *               + 1 Kafka send)             the outputs batch
 * + the claim wait                          a key held by a live owner is waited for (AwaitedClaims)
 * + 4 database steps                        the claim (insert, read, take-over), its confirm or release
 * + 1 Kafka send                            the dead-letter record
 * </pre>
 * A database step waits at most the pool's connection timeout for a connection plus the statement
 * timeout for its statement (docs/adr/0012); a Kafka send gives up after max-block-ms +
 * delivery-timeout-ms, the edge's producer's for the record path's and the outputs producer's
 * ({@code intake.consumer.outputs.*}) for a round's.
 */
public record PollBudget(int maxPollRecords, Redelivery redelivery, Duration agentCall, Duration databaseStep,
                         Duration kafkaSend, Duration roundSend, Duration claimWait, Duration maxPollInterval) {

    private static final int DATABASE_STEPS_PER_ROUND = 8;
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

    /** The part of the interval one batch may use: half, as Camel can hand a thread two batches between polls. */
    public Duration perBatch() {
        return maxPollInterval.dividedBy(2);
    }

    /** Whether the batch works in rounds: only with an agent that computes, and so cannot fail slowly or differently a second time. */
    public boolean inRounds() {
        return agentCall.isZero();
    }

    /** One round, failing as slowly as it can. */
    public Duration round() {
        return databaseStep.multipliedBy(DATABASE_STEPS_PER_ROUND).plus(roundSend);
    }

    /** Whether a round, and one record through the record path after it, still fit in the batch after {@code elapsed}. */
    public boolean roundFits(Duration elapsed) {
        return inRounds() && recordFits(elapsed.plus(round()));
    }

    /** Whether one record through the record path, at its worst, still fits in the batch after {@code elapsed}. */
    public boolean recordFits(Duration elapsed) {
        return elapsed.plus(worstCasePerRecord()).compareTo(perBatch()) <= 0;
    }

    /** The longest this process may hold one claim: a batch's share of the interval. */
    public Duration longestClaim() {
        return perBatch();
    }

    /** Refuses a configuration in which a batch cannot even work one round and one record at their worst. */
    public void requireWithin() {
        Duration round = inRounds() ? round() : Duration.ZERO;
        Duration least = round.plus(worstCasePerRecord());
        if (least.compareTo(perBatch()) <= 0) {
            return;
        }
        throw new IllegalStateException((inRounds() ? "One round of a ticket batch (" + seconds(round) + " s at worst: "
                + DATABASE_STEPS_PER_ROUND + " database steps and the outputs' Kafka send) and one" : "One") + " record at its worst ("
                + seconds(worstCasePerRecord()) + " s: " + seconds(redelivery.totalDelay()) + " s of redelivery delays + "
                + redelivery.attempts() + " attempts x " + seconds(attempt()) + " s + " + seconds(perRecord()) + " s)"
                + (inRounds() ? " = " + seconds(least) + " s" : "") + " must fit in half of intake.consumer.max-poll-interval-ms ("
                + seconds(perBatch()) + " s of " + seconds(maxPollInterval) + " s), or Kafka drops a consumer thread from its"
                + " group while it still processes a poll's records; shorten the redeliveries, the agent's timeout or the"
                + " database timeouts, or raise intake.consumer.max-poll-interval-ms");
    }

    @Override
    public String toString() {
        return "batches of up to " + maxPollRecords + " records within " + seconds(perBatch()) + " s"
                + (inRounds() ? ": rounds at worst " + seconds(round()) + " s, a record alone" : ", each record alone")
                + " at worst " + seconds(worstCasePerRecord()) + " s";
    }

    private static String seconds(Duration duration) {
        return BigDecimal.valueOf(duration.toMillis(), 3).stripTrailingZeros().toPlainString();
    }
}
