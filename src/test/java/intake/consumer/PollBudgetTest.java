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
        PollBudget budget = budget(4, Duration.ZERO);

        assertThat(budget.attempt()).isEqualTo(Duration.ofMillis(5 * 3000 + 700));
        assertThat(budget.perRecord()).isEqualTo(Duration.ofMillis(15_000 + 4 * 3000 + 700));
        assertThat(budget.worstCasePerRecord()).isEqualTo(Duration.ofMillis(15_500 + 6 * 15_700 + 27_700));
        assertThat(budget.worstCasePerPoll()).isEqualTo(Duration.ofMillis(4 * 137_400));
        assertThatNoException().isThrownBy(() -> budget.requireWithin(INTERVAL));
    }

    @Test
    void theHttpAgentsTimeoutCountsInEveryAttempt() {
        PollBudget budget = budget(3, Duration.ofSeconds(5));

        assertThat(budget.worstCasePerRecord()).isEqualTo(Duration.ofMillis(137_400 + 6 * 5_000));
        assertThat(budget).hasToString("3 records x 167.4 s at worst = 502.2 s");
        assertThatNoException().isThrownBy(() -> budget.requireWithin(INTERVAL));
        assertThatIllegalStateException().as("Kafka's default interval no longer holds 3 of them")
                .isThrownBy(() -> budget.requireWithin(Duration.ofMinutes(5)));
    }

    @Test
    void aPollThatCanOutlastTheIntervalIsRefusedNamingHowManyRecordsFit() {
        assertThatIllegalStateException().isThrownBy(() -> budget(500, Duration.ofSeconds(5)).requireWithin(INTERVAL))
                .withMessage("intake.consumer.max-poll-records (500) x the worst case of one record (167.4 s: 15.5 s of redelivery"
                        + " delays + 6 attempts x 20.7 s + 27.7 s) = 83700 s must stay below intake.consumer.max-poll-interval-ms"
                        + " (600 s), or Kafka drops a consumer thread from its group while it still processes a poll's records;"
                        + " lower intake.consumer.max-poll-records to at most 3, or raise intake.consumer.max-poll-interval-ms");
    }

    @Test
    void aPollThatTakesExactlyTheIntervalIsRefusedToo() {
        assertThatIllegalStateException().isThrownBy(() -> budget(5, Duration.ZERO).requireWithin(Duration.ofMillis(5 * 137_400)))
                .withMessageEndingWith("lower intake.consumer.max-poll-records to at most 4, or raise intake.consumer.max-poll-interval-ms");
    }

    @Test
    void whenNotEvenOneRecordFitsTheMessageSaysWhatElseToShorten() {
        assertThatIllegalStateException().isThrownBy(() -> budget(1, Duration.ofMinutes(1)).requireWithin(Duration.ofMinutes(5)))
                .withMessageEndingWith("not even one record fits: shorten the redeliveries or the agent's timeout,"
                        + " or raise intake.consumer.max-poll-interval-ms");
    }

    private static PollBudget budget(int maxPollRecords, Duration agentCall) {
        return new PollBudget(maxPollRecords, DEFAULT_REDELIVERY, agentCall, DATABASE_STEP, KAFKA_SEND, CLAIM_WAIT);
    }
}
