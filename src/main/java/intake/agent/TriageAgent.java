package intake.agent;

import intake.ticket.AgentDecision;
import intake.ticket.ContactHistory;
import intake.ticket.TicketEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The built-in agent: deterministic keyword rules from {@link TriageRules}, thread-safe and side-effect free. */
public final class TriageAgent implements Agent {

    // Deterministic, so the same ticket and history always give the same decision and every
    // decision can be explained from the rules:
    // - category: the one whose keywords occur most often in subject and body (every occurrence of
    //   every keyword counts); ties go to billing, technical, account, general; no hit is general.
    // - reasons, in this order, each when it fires: legal_threat, refund_or_cancellation,
    //   negative_sentiment (a keyword occurs), repeat_contact (at least the threshold of *earlier*
    //   tickets, received in the window before receivedAt; see ContactHistory).
    // - priority: the highest of the category's base and of every fired trigger's priority.
    // Keywords match whole words and phrases after normalization (KeywordText). The customer's name
    // is not searched, so "Sue" signing a message is no legal threat. Negations are not understood
    // ("not terrible" counts as negative), which errs on the side of a person looking at the ticket.

    /** The name in every decision and failure of this agent. */
    public static final String NAME = "triage";

    /** An escalation reason this agent gives. */
    public static final String LEGAL_THREAT = "legal_threat";
    public static final String REFUND_OR_CANCELLATION = "refund_or_cancellation";
    public static final String NEGATIVE_SENTIMENT = "negative_sentiment";
    public static final String REPEAT_CONTACT = "repeat_contact";

    private static final int LONGEST_NAME_IN_GREETING = 60;

    private final TriageRules rules;
    private final ContactHistory history;
    private final Map<String, List<String>> categoryKeywords = new LinkedHashMap<>();
    private final List<String> legalKeywords;
    private final List<String> refundOrCancellationKeywords;
    private final List<String> negativeKeywords;

    public TriageAgent(TriageRules rules, ContactHistory history) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.history = Objects.requireNonNull(history, "history");
        // Keywords are normalized once here rather than for every ticket.
        rules.categories().forEach((category, keywords) -> categoryKeywords.put(category, normalized(keywords)));
        this.legalKeywords = normalized(rules.escalation().legal());
        this.refundOrCancellationKeywords = normalized(rules.escalation().refundOrCancellation());
        this.negativeKeywords = normalized(rules.escalation().negative());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Duration longestCall() {
        return Duration.ZERO;
    }

    @Override
    public Duration historyWindow() {
        return rules.escalation().repeatContactWindow();
    }

    @Override
    public AgentDecision decide(TicketEvent ticket) {
        return decide(ticket, history);
    }

    @Override
    public AgentDecision decide(TicketEvent ticket, ContactHistory history) {
        String ticketId = String.valueOf(ticket.getTicketId());
        // The line break keeps a phrase from matching across the end of the subject.
        String text = KeywordText.normalize(Objects.toString(ticket.getSubject(), "") + "\n"
                + Objects.toString(ticket.getBody(), ""));

        String category = category(text);
        List<String> reasons = new ArrayList<>();
        if (anyOccurs(text, legalKeywords)) {
            reasons.add(LEGAL_THREAT);
        }
        if (anyOccurs(text, refundOrCancellationKeywords)) {
            reasons.add(REFUND_OR_CANCELLATION);
        }
        if (anyOccurs(text, negativeKeywords)) {
            reasons.add(NEGATIVE_SENTIMENT);
        }
        if (isRepeatContact(ticket, ticketId, history)) {
            reasons.add(REPEAT_CONTACT);
        }
        String priority = priority(category, reasons);
        return new AgentDecision(ticketId, ticket.getCustomerId(), NAME, category, priority, !reasons.isEmpty(),
                reasons, TriageReplies.draft(ticketId, greetingName(ticket.getCustomerName()), category, reasons));
    }

    private String category(String text) {
        String best = "general";
        int bestHits = 0;
        // CATEGORIES is in tie-break order, and only a strictly higher count replaces the leader.
        for (String category : AgentDecision.CATEGORIES) {
            int hits = 0;
            for (String keyword : categoryKeywords.get(category)) {
                hits += KeywordText.count(text, keyword);
            }
            if (hits > bestHits) {
                best = category;
                bestHits = hits;
            }
        }
        return best;
    }

    private boolean isRepeatContact(TicketEvent ticket, String ticketId, ContactHistory history) {
        Instant since = ticket.getReceivedAt().minus(rules.escalation().repeatContactWindow());
        int earlier;
        try {
            earlier = history.contactsBetween(ticket.getCustomerId(), since, ticket.getReceivedAt());
        } catch (RuntimeException e) {
            // The history is a database: when it fails, a retry later decides the same ticket fully,
            // whereas deciding without it would silently drop the repeat-contact trigger.
            throw new AgentUnavailableException(NAME, ticketId, "the contact history failed: " + e, e);
        }
        return earlier >= rules.escalation().repeatContactThreshold();
    }

    private String priority(String category, List<String> reasons) {
        TriageRules.Priorities priorities = rules.priorities();
        String priority = "general".equals(category) ? priorities.general() : priorities.standard();
        for (String reason : reasons) {
            String triggered = switch (reason) {
                case LEGAL_THREAT -> priorities.legalThreat();
                case REFUND_OR_CANCELLATION -> priorities.refundOrCancellation();
                case NEGATIVE_SENTIMENT -> priorities.negativeSentiment();
                case REPEAT_CONTACT -> priorities.repeatContact();
                default -> throw new IllegalStateException("no priority for " + reason);
            };
            if (AgentDecision.PRIORITIES.indexOf(triggered) > AgentDecision.PRIORITIES.indexOf(priority)) {
                priority = triggered;
            }
        }
        return priority;
    }

    private static boolean anyOccurs(String text, List<String> keywords) {
        for (String keyword : keywords) {
            if (KeywordText.count(text, keyword) > 0) {
                return true;
            }
        }
        return false;
    }

    private static List<String> normalized(List<String> keywords) {
        return keywords.stream().map(KeywordText::keyword).distinct().toList();
    }

    /** The name to greet with, or null: a name is shown only when it is short, plain text. */
    private static String greetingName(String customerName) {
        if (customerName == null) {
            return null;
        }
        // Provider profile names can hold anything; control characters and odd spacing go.
        String name = customerName.replaceAll("\\p{Cntrl}", " ").replaceAll("\\s+", " ").strip();
        if (name.isEmpty() || name.length() > LONGEST_NAME_IN_GREETING) {
            return null;
        }
        return name;
    }
}
