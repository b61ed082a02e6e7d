package intake.agent;

import static intake.agent.TestTickets.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import intake.ticket.AgentDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Overriding the triage rules, as the Spring binding of {@code intake.agent.triage} does, and rejecting wrong ones. */
class TriageRulesTest {

    private final TestTickets.History history = new TestTickets.History();

    private AgentDecision decide(TriageRules rules, String body) {
        return new TriageAgent(rules, history).decide(ticket(null, body));
    }

    @Test
    void defaultsCoverEveryCategoryTriggerAndPriority() {
        TriageRules rules = TriageRules.defaults();
        assertThat(rules.categories()).containsOnlyKeys("billing", "technical", "account", "general");
        assertThat(rules.categories().values()).allSatisfy(keywords -> assertThat(keywords).isNotEmpty());
        assertThat(rules.escalation().legal()).contains("lawyer", "attorney", "lawsuit", "legal action", "court");
        assertThat(rules.escalation().refundOrCancellation())
                .contains("refund", "money back", "chargeback", "cancel my", "cancellation");
        assertThat(rules.escalation().negative())
                .contains("terrible", "awful", "furious", "worst", "unacceptable", "scam", "disgusting");
        assertThat(rules.escalation().repeatContactThreshold()).isEqualTo(3);
        assertThat(rules.escalation().repeatContactWindow()).isEqualTo(Duration.ofHours(24));
        assertThat(rules.priorities()).isEqualTo(new TriageRules.Priorities("urgent", "high", "high", "high",
                "normal", "low"));
        assertThat(rules).isEqualTo(new TriageRules(Map.of(), new TriageRules.Escalation(null, null, null, null, null),
                new TriageRules.Priorities(null, null, null, null, null, null)));
    }

    @Test
    void aCategoryGivenReplacesOnlyThatCategorysKeywords() {
        TriageRules rules = new TriageRules(Map.of("billing", List.of("moolah", "Cash Money")), null, null);
        assertThat(rules.categories().get("billing")).containsExactly("moolah", "Cash Money");
        assertThat(rules.categories().get("technical")).isEqualTo(TriageRules.defaults().categories().get("technical"));
        assertThat(decide(rules, "Where is my moolah?").category()).isEqualTo("billing");
        assertThat(decide(rules, "CASH-MONEY please").category()).isEqualTo("billing");
        assertThat(decide(rules, "About my invoice").category()).isEqualTo("general");
        assertThat(decide(rules, "The app crashes").category()).isEqualTo("technical");
    }

    @Test
    void categoryNamesAreCaseInsensitive() {
        TriageRules rules = new TriageRules(Map.of("Billing", List.of("moolah")), null, null);
        assertThat(rules.categories().get("billing")).containsExactly("moolah");
    }

    @Test
    void anEmptyListLeavesACategoryWithoutKeywords() {
        TriageRules rules = new TriageRules(Map.of("account", List.of()), null, null);
        assertThat(decide(rules, "My password").category()).isEqualTo("general");
    }

    @Test
    void triggerKeywordsAreOverridable() {
        TriageRules rules = new TriageRules(null,
                new TriageRules.Escalation(List.of("barrister"), List.of("give it back"), List.of("meh"), null, null),
                null);
        assertThat(decide(rules, "My lawyer says it is terrible and I want a refund.").escalationReasons()).isEmpty();
        assertThat(decide(rules, "My barrister says meh, give it back.").escalationReasons())
                .containsExactly("legal_threat", "refund_or_cancellation", "negative_sentiment");
        // the numbers left out keep their defaults
        assertThat(rules.escalation().repeatContactThreshold()).isEqualTo(3);
        assertThat(rules.escalation().repeatContactWindow()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void prioritiesAreOverridable() {
        TriageRules rules = new TriageRules(null, null,
                new TriageRules.Priorities("high", "urgent", null, null, "low", "normal"));
        assertThat(decide(rules, "My lawyer will call.").priority()).isEqualTo("high");
        assertThat(decide(rules, "I want a refund.").priority()).isEqualTo("urgent");
        assertThat(decide(rules, "This is awful.").priority()).isEqualTo("high");
        assertThat(decide(rules, "I cannot log in.").priority()).isEqualTo("low");
        assertThat(decide(rules, "Nothing to see.").priority()).isEqualTo("normal");
    }

    @Test
    void aTriggerNeverLowersTheBasePriority() {
        TriageRules rules = new TriageRules(null, null,
                new TriageRules.Priorities(null, null, "low", null, null, null));
        assertThat(decide(rules, "The app is terrible.").priority()).isEqualTo("normal");
    }

    @Test
    void theRulesAreImmutable() {
        Map<String, List<String>> categories = new HashMap<>();
        List<String> billing = new ArrayList<>(List.of("moolah"));
        categories.put("billing", billing);
        TriageRules rules = new TriageRules(categories, null, null);
        billing.add("invoice");
        categories.put("account", List.of());
        assertThat(rules.categories().get("billing")).containsExactly("moolah");
        assertThat(rules.categories().get("account")).isNotEmpty();
        assertThatThrownBy(() -> rules.categories().put("general", List.of()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aWrongSettingFailsWithAMessageNamingIt() {
        assertThatThrownBy(() -> new TriageRules(Map.of("shipping", List.of("parcel")), null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intake.agent.triage.categories").hasMessageContaining("'shipping'");
        assertThatThrownBy(() -> new TriageRules.Priorities("critical", null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intake.agent.triage.priorities.legal-threat").hasMessageContaining("'critical'");
        assertThatThrownBy(() -> new TriageRules.Escalation(null, null, null, 0, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeat-contact-threshold");
        assertThatThrownBy(() -> new TriageRules.Escalation(null, null, null, null, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeat-contact-window");
        assertThatThrownBy(() -> new TriageRules.Escalation(List.of("lawyer", " ?! "), null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intake.agent.triage.escalation.legal").hasMessageContaining("' ?! '");
        assertThatThrownBy(() -> new TriageRules.Escalation(null, Arrays.asList("refund", null), null, null, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refund-or-cancellation");
    }
}
