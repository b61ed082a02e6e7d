package intake.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The arithmetic of the consumer's poll budget, with the shipped defaults (application.yaml). */
class PollBudgetTest {

    /** 5 redeliveries, 500 ms doubling, at most 10 s apart. */
    private static final PollBudget.Redelivery DEFAULT_REDELIVERY =
            new PollBudget.Redelivery(5, Duration.ofMillis(500), 2, Duration.ofSeconds(10));
    /** Hikari's connection timeout + the statement timeout, and the producer's max-block-ms + delivery-timeout-ms. */
    private static final Duration DATABASE_STEP = Duration.ofSeconds(2 + 1);
    private static final Duration KAFKA_SEND = Duration.ofMillis(700);
    /** The outputs producer's max-block-ms + delivery-timeout-ms (intake.consumer.outputs.*). */
    private static final Duration ROUND_SEND = Duration.ofSeconds(5 + 30);
    /** The claim lease, which is also how long a held claim is waited for. */
    private static final Duration CLAIM_WAIT = Duration.ofSeconds(15);
    private static final Duration INTERVAL = Duration.ofMinutes(10);

    @Test
    void redeliveryDelaysFollowCamelsExponentialBackOffUpToTheMaximum() {
        assertThat(DEFAULT_REDELIVERY.totalDelay()).isEqualTo(Duration.ofMillis(500 + 1000 + 2000 + 4000 + 8000));
        assertThat(new PollBudget.Redelivery(5, Duration.ofMillis(500), 2, Duration.ofSeconds(1)).totalDelay())
                .isEqualTo(Duration.ofMillis(500 + 1000 + 1000 + 1000 + 1000));
        assertThat(new PollBudget.Redelivery(3, Duration.ofMillis(200), 1, Duration.ofSeconds(10)).totalDelay())
                .isEqualTo(Duration.ofMillis(600));
        assertThat(new PollBudget.Redelivery(0, Duration.ofMillis(500), 2, Duration.ofSeconds(10)).totalDelay()).isZero();
        assertThat(new PollBudget.Redelivery(100, Duration.ofMillis(500), 2, Duration.ofSeconds(10)).totalDelay())
                .isEqualTo(Duration.ofMillis(15_500 + 95 * 10_000));
    }

    @Test
    void redeliveringForEverIsRefused() {
        assertThatIllegalStateException().isThrownBy(() -> new PollBudget.Redelivery(-1, Duration.ofMillis(500), 2, Duration.ofSeconds(10)))
                .withMessageStartingWith("intake.consumer.redelivery.maximum-redeliveries must be 0 or more, not -1");
    }

    @Test
    void theTriageAgentsWorstRecordIsItsDelaysPlusSixSlowAttemptsPlusTheClaimItsWaitAndTheDeadLetterWrite() {
        PollBudget budget = budget(500, Duration.ZERO, INTERVAL);

        assertThat(budget.attempt()).isEqualTo(Duration.ofMillis(5 * 3000 + 700));
        assertThat(budget.perRecord()).isEqualTo(Duration.ofMillis(15_000 + 4 * 3000 + 700));
        assertThat(budget.worstCasePerRecord()).isEqualTo(Duration.ofMillis(15_500 + 6 * 15_700 + 27_700));
        assertThatNoException().isThrownBy(budget::requireWithin);
    }

    @Test
    void aBatchHasHalfTheIntervalAndARoundIsEightDatabaseStepsAndTheOutputsSend() {
        PollBudget budget = budget(500, Duration.ZERO, INTERVAL);

        assertThat(budget.perBatch()).isEqualTo(Duration.ofMinutes(5));
        assertThat(budget.longestClaim()).isEqualTo(Duration.ofMinutes(5));
        assertThat(budget.round()).isEqualTo(Duration.ofMillis(8 * 3000 + 35_000));
        assertThat(budget).hasToString("batches of up to 500 records within 300 s: rounds at worst 59 s, a record alone"
                + " at worst 137.4 s");
    }

    @Test
    void withAnAgentThatCallsAServiceEveryRecordGoesAloneSoTheServiceIsAskedAsThePolicySays() {
        PollBudget budget = budget(500, Duration.ofSeconds(5), INTERVAL);

        assertThat(budget.inRounds()).isFalse();
        assertThat(budget.roundFits(Duration.ZERO)).isFalse();
        assertThat(budget.worstCasePerRecord()).isEqualTo(Duration.ofMillis(137_400 + 6 * 5_000));
        assertThat(budget).hasToString("batches of up to 500 records within 300 s, each record alone at worst 167.4 s");
    }

    @Test
    void aRoundFitsOnlyWhileItAndOneRecordAfterItEndWithinTheBatchesHalf() {
        PollBudget budget = budget(500, Duration.ZERO, INTERVAL);

        assertThat(budget.roundFits(Duration.ofMillis(300_000 - 59_000 - 137_400))).isTrue();
        assertThat(budget.roundFits(Duration.ofMillis(300_000 - 59_000 - 137_400 + 1))).isFalse();
        assertThat(budget.recordFits(Duration.ofMillis(300_000 - 137_400))).isTrue();
        assertThat(budget.recordFits(Duration.ofMillis(300_000 - 137_400 + 1))).isFalse();
    }

    @Test
    void anIntervalInWhichNotEvenOneRoundAndOneRecordFitIsRefusedSayingWhatToShorten() {
        assertThatIllegalStateException().isThrownBy(() -> budget(500, Duration.ZERO, Duration.ofMinutes(5)).requireWithin())
                .withMessage("One round of a ticket batch (59 s at worst: 8 database steps and the outputs' Kafka send) and one"
                        + " record at its worst (137.4 s: 15.5 s of redelivery delays + 6 attempts x 15.7 s + 27.7 s) = 196.4 s"
                        + " must fit in half of intake.consumer.max-poll-interval-ms (150 s of 300 s), or Kafka drops a consumer"
                        + " thread from its group while it still processes a poll's records; shorten the redeliveries, the agent's"
                        + " timeout or the database timeouts, or raise intake.consumer.max-poll-interval-ms");
        assertThatIllegalStateException().isThrownBy(() -> budget(500, Duration.ofSeconds(5), Duration.ofMinutes(5)).requireWithin())
                .withMessageStartingWith("One record at its worst (167.4 s: 15.5 s of redelivery delays + 6 attempts x 20.7 s"
                        + " + 27.7 s) must fit in half of intake.consumer.max-poll-interval-ms (150 s of 300 s)");
    }

    @Test
    void exactlyHalfTheIntervalIsStillEnough() {
        Duration least = Duration.ofMillis(59_000 + 137_400);
        assertThatNoException().isThrownBy(() -> budget(500, Duration.ZERO, least.multipliedBy(2)).requireWithin());
        assertThatIllegalStateException().isThrownBy(() -> budget(500, Duration.ZERO, least.multipliedBy(2).minusMillis(2)).requireWithin());
    }

    private static PollBudget budget(int maxPollRecords, Duration agentCall, Duration interval) {
        return new PollBudget(maxPollRecords, DEFAULT_REDELIVERY, agentCall, DATABASE_STEP, KAFKA_SEND, ROUND_SEND, CLAIM_WAIT, interval);
    }
}
