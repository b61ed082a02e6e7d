package intake.agent;

import intake.ticket.AgentDecision;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The triage agent's keywords, triggers and priorities, bound from {@code intake.agent.triage}; null is default. */
public record TriageRules(Map<String, List<String>> categories, Escalation escalation, Priorities priorities) {

    // Only a canonical constructor per record, so Spring Boot binds them without any annotation.
    // Every value is checked here: a wrong setting stops start-up with its name in the message
    // instead of silently never matching. Keywords are words or phrases, matched whole after the
    // same normalization as the ticket text (KeywordText), so "Charge-Back" equals "charge back".

    private static final Map<String, List<String>> DEFAULT_CATEGORIES = Map.of(
            "billing", List.of(
                    "bill", "billed", "billing", "invoice", "invoices", "receipt", "receipts",
                    "charge", "charged", "charges", "charged twice", "double charged", "overcharged",
                    "payment", "payments", "pay", "paid", "price", "pricing", "fee", "fees",
                    "refund", "refunds", "refunded", "credit card", "debit card", "subscription",
                    "renewal", "discount", "coupon", "vat", "tax"),
            "technical", List.of(
                    "error", "errors", "error message", "bug", "bugs", "crash", "crashes", "crashed",
                    "broken", "not working", "doesn't work", "does not work", "stopped working",
                    "won't load", "not loading", "freezes", "frozen", "slow", "outage", "is down",
                    "timeout", "timed out", "app", "website", "browser", "api", "install",
                    "update", "sync", "integration", "500", "404"),
            "account", List.of(
                    "account", "my account", "login", "log in", "logged out", "sign in", "signin",
                    "password", "reset my password", "forgot my password", "username", "locked",
                    "locked out", "two factor", "2fa", "verification code", "verify", "profile",
                    "email address", "change my email", "delete my account", "sign up", "register"),
            "general", List.of(
                    "question", "information", "info", "opening hours", "hours", "feedback",
                    "suggestion", "partnership", "general enquiry", "general inquiry", "how do i"));

    private static final List<String> DEFAULT_LEGAL = List.of(
            // "sue" alone would flag every customer called Sue, so only its threatening phrases.
            "lawyer", "lawyers", "attorney", "attorneys", "solicitor", "solicitors", "lawsuit",
            "legal action", "legal proceedings", "take you to court", "court", "small claims",
            "class action", "sue you", "sue your", "sue the", "will sue", "going to sue", "suing",
            "legal department", "ombudsman", "consumer protection");

    private static final List<String> DEFAULT_REFUND_OR_CANCELLATION = List.of(
            "refund", "refunds", "refunded", "full refund", "money back", "my money",
            "reimburse", "reimbursement", "chargeback", "charge back", "dispute the charge",
            "cancel my", "cancel the", "cancel subscription", "cancellation", "terminate my",
            "close my account", "delete my account");

    private static final List<String> DEFAULT_NEGATIVE = List.of(
            "terrible", "awful", "horrible", "horrendous", "furious", "angry", "outraged",
            "worst", "unacceptable", "ridiculous", "pathetic", "appalling", "disgusting",
            "disgraceful", "scam", "fraud", "rip off", "ripoff", "useless", "incompetent",
            "fed up", "sick of", "very disappointed", "extremely disappointed", "never again");

    /** Every keyword list, number and priority at its default, for English-speaking customers. */
    public static TriageRules defaults() {
        return new TriageRules(null, null, null);
    }

    public TriageRules {
        // A category left out keeps its default keywords, so overriding billing does not erase
        // technical; an empty list is how a category is given no keywords at all.
        Map<String, List<String>> merged = new LinkedHashMap<>();
        for (String category : AgentDecision.CATEGORIES) {
            merged.put(category, DEFAULT_CATEGORIES.get(category));
        }
        if (categories != null) {
            categories.forEach((name, keywords) -> {
                // Environment variables and YAML may spell the key in another case.
                String category = name == null ? null : name.strip().toLowerCase(Locale.ROOT);
                if (!merged.containsKey(category)) {
                    throw new IllegalArgumentException("intake.agent.triage.categories: unknown category '" + name
                            + "'; the categories are " + AgentDecision.CATEGORIES);
                }
                if (keywords != null) {
                    merged.put(category, keywords);
                }
            });
        }
        merged.replaceAll((category, keywords) -> checked("intake.agent.triage.categories." + category, keywords));
        categories = Collections.unmodifiableMap(merged);
        escalation = escalation == null ? new Escalation(null, null, null, null, null) : escalation;
        priorities = priorities == null ? new Priorities(null, null, null, null, null, null) : priorities;
    }

    /** The escalation triggers: keywords of the three keyword triggers and the repeat-contact limits. */
    public record Escalation(List<String> legal, List<String> refundOrCancellation, List<String> negative,
                             Integer repeatContactThreshold, Duration repeatContactWindow) {

        // legal -> legal_threat, refundOrCancellation -> refund_or_cancellation, negative ->
        // negative_sentiment; repeat_contact when at least repeatContactThreshold earlier tickets
        // of the customer were received within repeatContactWindow before this one.
        public Escalation {
            legal = checked("intake.agent.triage.escalation.legal", legal == null ? DEFAULT_LEGAL : legal);
            refundOrCancellation = checked("intake.agent.triage.escalation.refund-or-cancellation",
                    refundOrCancellation == null ? DEFAULT_REFUND_OR_CANCELLATION : refundOrCancellation);
            negative = checked("intake.agent.triage.escalation.negative",
                    negative == null ? DEFAULT_NEGATIVE : negative);
            repeatContactThreshold = repeatContactThreshold == null ? 3 : repeatContactThreshold;
            // Zero would make every ticket a repeat contact, which is a mistake rather than a policy.
            if (repeatContactThreshold < 1) {
                throw new IllegalArgumentException("intake.agent.triage.escalation.repeat-contact-threshold must be"
                        + " at least 1, was " + repeatContactThreshold);
            }
            repeatContactWindow = repeatContactWindow == null ? Duration.ofHours(24) : repeatContactWindow;
            if (repeatContactWindow.isNegative() || repeatContactWindow.isZero()) {
                throw new IllegalArgumentException("intake.agent.triage.escalation.repeat-contact-window must be"
                        + " positive, was " + repeatContactWindow);
            }
        }
    }

    /** The priority each trigger gives, and the base of a standard (billing, technical, account) or general ticket. */
    public record Priorities(String legalThreat, String refundOrCancellation, String negativeSentiment,
                             String repeatContact, String standard, String general) {

        // A ticket gets the highest of its base and of every fired trigger's priority, so a trigger
        // configured low can never make an escalated ticket less urgent than an ordinary one.
        public Priorities {
            legalThreat = checkedPriority("legal-threat", legalThreat, "urgent");
            refundOrCancellation = checkedPriority("refund-or-cancellation", refundOrCancellation, "high");
            negativeSentiment = checkedPriority("negative-sentiment", negativeSentiment, "high");
            repeatContact = checkedPriority("repeat-contact", repeatContact, "high");
            standard = checkedPriority("standard", standard, "normal");
            general = checkedPriority("general", general, "low");
        }
    }

    private static List<String> checked(String setting, List<String> keywords) {
        List<String> copy = new ArrayList<>(keywords.size());
        for (String keyword : keywords) {
            // A keyword with no letter or digit could never match: that is a typo, say so.
            if (keyword == null || KeywordText.keyword(keyword).isEmpty()) {
                throw new IllegalArgumentException(setting + ": the keyword '" + keyword
                        + "' has no letter or digit, so it could never match");
            }
            copy.add(keyword);
        }
        return List.copyOf(copy);
    }

    private static String checkedPriority(String setting, String value, String fallback) {
        if (value == null) {
            return fallback;
        }
        if (!AgentDecision.PRIORITIES.contains(value)) {
            throw new IllegalArgumentException("intake.agent.triage.priorities." + setting + ": unknown priority '"
                    + value + "'; the priorities are " + AgentDecision.PRIORITIES);
        }
        return value;
    }
}
