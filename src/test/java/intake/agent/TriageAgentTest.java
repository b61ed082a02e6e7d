package intake.agent;

import static intake.agent.TestTickets.RECEIVED_AT;
import static intake.agent.TestTickets.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import intake.ticket.AgentDecision;
import intake.ticket.TicketEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The triage rules at their defaults: categories, triggers, priorities, repeat contacts, text handling, replies. */
class TriageAgentTest {

    private final TestTickets.History history = new TestTickets.History();
    private final TriageAgent agent = new TriageAgent(TriageRules.defaults(), history);

    private AgentDecision decide(String subject, String body) {
        return agent.decide(ticket(subject, body));
    }

    @Test
    void decisionCarriesTheTicketCustomerAndAgentName() {
        TicketEvent ticket = ticket("Invoice", "I was charged twice.");
        AgentDecision decision = agent.decide(ticket);
        assertThat(agent.name()).isEqualTo("triage");
        assertThat(decision.ticketId()).isEqualTo(ticket.getTicketId().toString());
        assertThat(decision.customerId()).isEqualTo("ada@example.com");
        assertThat(decision.agent()).isEqualTo("triage");
        assertThat(decision.category()).isEqualTo("billing");
        assertThat(decision.priority()).isEqualTo("normal");
        assertThat(decision.escalate()).isFalse();
        assertThat(decision.escalationReasons()).isEmpty();
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "Invoice question     | I was charged twice for my subscription.        | billing",
            "App problem          | The app crashes with an error when I upload.    | technical",
            "Cannot get in        | I forgot my password and I am locked out.        | account",
            "Quick question       | What are your opening hours?                     | general",
            "Hello                | Just wanted to say hello to the team.            | general",
    })
    void eachCategory(String subject, String body, String category) {
        assertThat(decide(subject, body).category()).isEqualTo(category);
    }

    @Test
    void theCategoryWithMostHitsWins() {
        // one billing hit (invoice), three technical hits (error, crash, error)
        AgentDecision decision = decide("Invoice page",
                "Opening the invoice gives an error, then a crash, then an error again.");
        assertThat(decision.category()).isEqualTo("technical");
    }

    @Test
    void tiesGoToBillingThenTechnicalThenAccount() {
        assertThat(decide(null, "The app shows my invoice.").category()).isEqualTo("billing");
        assertThat(decide(null, "The app will not let me change my password.").category()).isEqualTo("technical");
        assertThat(decide(null, "My password question.").category()).isEqualTo("account");
    }

    @Test
    void noHitAtAllIsGeneralWithLowPriority() {
        AgentDecision decision = decide(null, "Bonjour!");
        assertThat(decision.category()).isEqualTo("general");
        assertThat(decision.priority()).isEqualTo("low");
        assertThat(decision.escalate()).isFalse();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "My lawyer will be in touch.                          | legal_threat",
            "I am going to sue you over this.                     | legal_threat",
            "We will take legal action if this continues.         | legal_threat",
            "See you in court.                                    | legal_threat",
            "I want a refund for my order.                        | refund_or_cancellation",
            "I just want my money back.                           | refund_or_cancellation",
            "Please cancel my subscription today.                 | refund_or_cancellation",
            "I filed a chargeback with my bank.                   | refund_or_cancellation",
            "This service is terrible.                            | negative_sentiment",
            "Absolutely unacceptable, I am furious.               | negative_sentiment",
            "The worst experience ever, it's a scam.              | negative_sentiment",
    })
    void eachKeywordTrigger(String body, String reason) {
        AgentDecision decision = decide(null, body);
        assertThat(decision.escalationReasons()).containsExactly(reason);
        assertThat(decision.escalate()).isTrue();
    }

    @Test
    void everyTriggerThatFiresIsAReasonInAFixedOrder() {
        history.contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(1)))
                .contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(2)))
                .contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(3)));
        AgentDecision decision = decide("Terrible", "Refund me now or my attorney will call.");
        assertThat(decision.escalationReasons())
                .containsExactly("legal_threat", "refund_or_cancellation", "negative_sentiment", "repeat_contact");
        assertThat(decision.priority()).isEqualTo("urgent");
    }

    @ParameterizedTest(name = "{0} / {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // legal alone or with anything else is urgent
            "Invoice      | My lawyer has your invoice.                      | urgent",
            "Refund       | Refund me or I will sue you, this is awful.      | urgent",
            // any other trigger is high, even for a general ticket
            "Order        | I want a refund.                                 | high",
            "Hours        | Your opening hours are ridiculous.               | high",
            "Hi           | This is awful.                                   | high",
            // no trigger: normal, or low for general
            "Login        | I cannot log in.                                 | normal",
            "Hours        | What are your opening hours?                     | low",
    })
    void priorities(String subject, String body, String priority) {
        assertThat(decide(subject, body).priority()).isEqualTo(priority);
    }

    @Test
    void repeatContactAtTheThresholdEscalates() {
        for (int hour = 1; hour <= 3; hour++) {
            history.contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(hour)));
        }
        AgentDecision decision = decide("Login", "I cannot log in.");
        assertThat(decision.escalationReasons()).containsExactly("repeat_contact");
        assertThat(decision.priority()).isEqualTo("high");
        assertThat(history.askedCustomers).containsExactly("ada@example.com");
        assertThat(history.askedSince).containsExactly(RECEIVED_AT.minus(Duration.ofHours(24)));
        assertThat(history.askedUntil).as("only tickets received before this one").containsExactly(RECEIVED_AT);
    }

    @Test
    void repeatContactUnderTheThresholdDoesNot() {
        history.contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(1)))
                .contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(2)))
                // outside the 24 h window, so it does not count
                .contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(25)))
                // sent after this ticket (decided late, after an outage or a replay), so it does not count
                .contact("ada@example.com", RECEIVED_AT.plus(Duration.ofHours(1)))
                // another customer's tickets never count
                .contact("grace@example.com", RECEIVED_AT.minus(Duration.ofHours(1)))
                .contact("grace@example.com", RECEIVED_AT.minus(Duration.ofHours(1)));
        AgentDecision decision = decide("Login", "I cannot log in.");
        assertThat(decision.escalationReasons()).isEmpty();
        assertThat(decision.priority()).isEqualTo("normal");
    }

    @Test
    void repeatContactUsesTheConfiguredThresholdAndWindow() {
        TriageRules rules = new TriageRules(null,
                new TriageRules.Escalation(null, null, null, 1, Duration.ofMinutes(30)), null);
        TriageAgent strict = new TriageAgent(rules, history);
        history.contact("ada@example.com", RECEIVED_AT.minus(Duration.ofMinutes(31)));
        assertThat(strict.decide(ticket("Login", "I cannot log in.")).escalationReasons()).isEmpty();
        history.contact("ada@example.com", RECEIVED_AT.minus(Duration.ofMinutes(30)));
        assertThat(strict.decide(ticket("Login", "I cannot log in.")).escalationReasons())
                .containsExactly("repeat_contact");
        assertThat(history.askedSince).containsOnly(RECEIVED_AT.minus(Duration.ofMinutes(30)));
    }

    @Test
    void aFailingContactHistoryIsTransient() {
        TriageAgent failing = new TriageAgent(TriageRules.defaults(), (customerId, from, until) -> {
            throw new IllegalStateException("connection pool exhausted");
        });
        TicketEvent ticket = ticket("Login", "I cannot log in.");
        assertThatThrownBy(() -> failing.decide(ticket))
                .isInstanceOfSatisfying(AgentUnavailableException.class, e -> {
                    assertThat(e.getAgent()).isEqualTo("triage");
                    assertThat(e.getTicketId()).isEqualTo(ticket.getTicketId().toString());
                    assertThat(e.getMessage()).contains("triage", ticket.getTicketId().toString(),
                            "contact history", "connection pool exhausted");
                    assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
                });
    }

    @Test
    void caseAccentsAndPunctuationDoNotHideAKeyword() {
        assertThat(decide("REFUND!!!", "Now.").escalationReasons()).containsExactly("refund_or_cancellation");
        assertThat(decide(null, "Je veux un réfund, s'il vous plaît").escalationReasons())
                .containsExactly("refund_or_cancellation");
        assertThat(decide(null, "Ｒｅｆｕｎｄ please").escalationReasons()).containsExactly("refund_or_cancellation");
        assertThat(decide(null, "I want my money-back guarantee honoured").escalationReasons())
                .containsExactly("refund_or_cancellation");
        assertThat(decide(null, "(Lawyer) cc'd.").escalationReasons()).containsExactly("legal_threat");
        assertThat(decide(null, "This is \"UNACCEPTABLE\"").escalationReasons()).containsExactly("negative_sentiment");
        // a typographic apostrophe is the keyword's straight one
        assertThat(decide(null, "The export doesn’t work").category()).isEqualTo("technical");
        assertThat(decide(null, "The export DOESN'T   WORK").category()).isEqualTo("technical");
    }

    @Test
    void keywordsMatchWholeWordsOnly() {
        AgentDecision decision = decide("An issue",
                "Thanks for the courtesy; the ticket is non-refundable, which is fine."
                + " Best wishes, Sue");
        assertThat(decision.escalationReasons()).isEmpty();
        assertThat(decision.category()).isEqualTo("general");
    }

    @Test
    void aPhraseDoesNotMatchAcrossSentencesOrFromSubjectIntoBody() {
        assertThat(decide(null, "Everything we did was legal. Action is needed on your side.").escalationReasons())
                .isEmpty();
        assertThat(decide("About legal", "action items for next week").escalationReasons()).isEmpty();
    }

    @Test
    void theSubjectCountsToo() {
        AgentDecision decision = decide("Cancellation", "Hello, see above.");
        assertThat(decision.escalationReasons()).containsExactly("refund_or_cancellation");
    }

    @Test
    void theReplyNamesTheTicketAndTheNextStep() {
        TicketEvent ticket = ticket("Invoice", "I was charged twice.");
        String reply = agent.decide(ticket).reply();
        String ticketId = ticket.getTicketId().toString();
        assertThat(reply).startsWith("Hello Ada Lovelace,")
                .contains("logged it as ticket " + ticketId)
                .contains("billing team will review it and get back to you")
                .contains("please mention ticket " + ticketId)
                .doesNotContain("senior")
                .endsWith("Kind regards,\nCustomer Support");
    }

    @Test
    void theReplyIsWordedPerCategory() {
        String billing = decide("Invoice", "I was charged twice.").reply();
        String technical = decide("Bug", "The app crashes.").reply();
        String account = decide("Login", "I cannot log in.").reply();
        String general = decide("Hours", "What are your opening hours?").reply();
        assertThat(billing).contains("billing matter", "our billing team");
        assertThat(technical).contains("technical problem", "technical support team", "error message, a screenshot");
        assertThat(account).contains("about your account", "account team", "never send us your password");
        assertThat(general).contains("Thank you for your message.", "our support team");
        assertThat(List.of(billing, technical, account, general)).doesNotHaveDuplicates();
    }

    @Test
    void anEscalatedReplySaysSoAndPromisesNothingMore() {
        history.contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(1)))
                .contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(2)))
                .contact("ada@example.com", RECEIVED_AT.minus(Duration.ofHours(3)));
        String reply = decide("Refund", "This is terrible, I want a refund.").reply();
        assertThat(reply).contains("passed your ticket to a senior member of our billing team")
                .contains("sorry for the trouble")
                .contains("contacted us several times recently")
                .contains("Nothing has been refunded, cancelled or changed yet")
                .doesNotContainIgnoringCase("within")
                .doesNotContainIgnoringCase("hours")
                .doesNotContainIgnoringCase("guarantee")
                .doesNotContainIgnoringCase("lawyer");
    }

    @Test
    void theReplyGreetsWithoutANameWhenThereIsNoUsableOne() {
        TicketEvent noName = TestTickets.ticketWithAttachment();
        assertThat(agent.decide(noName).reply()).startsWith("Hello,\n\n");
        TicketEvent oddName = ticket("Invoice", "Charged twice.");
        oddName.setCustomerName("  Ada\n\tLovelace ");
        assertThat(agent.decide(oddName).reply()).startsWith("Hello Ada Lovelace,\n\n");
        oddName.setCustomerName("x".repeat(200));
        assertThat(agent.decide(oddName).reply()).startsWith("Hello,\n\n");
    }

    @Test
    void theSameTicketAlwaysGetsTheSameDecision() {
        TicketEvent ticket = ticket("Refund", "The app is broken and I want my money back!");
        assertThat(agent.decide(ticket)).isEqualTo(agent.decide(ticket));
    }
}
