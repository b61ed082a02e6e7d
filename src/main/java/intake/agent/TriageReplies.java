package intake.agent;

import java.util.List;

/** The triage agent's drafted replies, in English, per category and per escalation reason. */
final class TriageReplies {

    private TriageReplies() {
    }

    // A draft says only what is true once the decision is made (the ticket is logged, and marked
    // for a senior person when escalated): no time frames, no refunds, no outcomes, since a person
    // still has to act on the ticket and nothing here knows when or how.

    /** The reply, greeting {@code customerName} when given (null greets without a name). */
    static String draft(String ticketId, String customerName, String category, List<String> reasons) {
        StringBuilder reply = new StringBuilder();
        reply.append(customerName == null ? "Hello," : "Hello " + customerName + ",").append("\n\n");

        reply.append(switch (category) {
            case "billing" -> "Thank you for contacting us about a billing matter. ";
            case "technical" -> "Thank you for letting us know about this technical problem. ";
            case "account" -> "Thank you for contacting us about your account. ";
            default -> "Thank you for your message. ";
        });
        reply.append("We have received it and logged it as ticket ").append(ticketId).append('.');
        if (reasons.contains(TriageAgent.NEGATIVE_SENTIMENT)) {
            reply.append(" We are sorry for the trouble this has caused you.");
        }
        if (reasons.contains(TriageAgent.REPEAT_CONTACT)) {
            reply.append(" We can see that you have contacted us several times recently, and we are sorry"
                    + " that you have had to write again.");
        }
        reply.append("\n\n");

        String team = switch (category) {
            case "billing" -> "billing team";
            case "technical" -> "technical support team";
            case "account" -> "account team";
            default -> "support team";
        };
        if (reasons.isEmpty()) {
            reply.append("A member of our ").append(team).append(" will review it and get back to you.");
        } else {
            reply.append("We have passed your ticket to a senior member of our ").append(team)
                    .append(", who will review it and get back to you.");
        }
        if (reasons.contains(TriageAgent.REFUND_OR_CANCELLATION)) {
            // The customer must not read the acknowledgement as the refund or cancellation itself.
            reply.append(" Nothing has been refunded, cancelled or changed yet: your request will be reviewed first.");
        }
        if ("technical".equals(category)) {
            reply.append(" If you have an error message, a screenshot or the steps that lead to the problem,"
                    + " please send them to us with your ticket number.");
        } else if ("account".equals(category)) {
            reply.append(" For your security, please never send us your password.");
        }
        reply.append("\n\n");

        reply.append("If you write to us again about this, please mention ticket ").append(ticketId).append('.')
                .append("\n\nKind regards,\nCustomer Support");
        return reply.toString();
    }
}
