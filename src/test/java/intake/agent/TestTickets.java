package intake.agent;

import intake.ticket.Attachment;
import intake.ticket.ContactHistory;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Tickets and a contact history for the agent tests. */
final class TestTickets {

    static final Instant RECEIVED_AT = Instant.parse("2025-06-09T10:15:30Z");

    private TestTickets() {
    }

    static TicketEvent ticket(String subject, String body) {
        return Tickets.newTicket("webform", "support-form", "msg-" + subject + "-" + body, "corr-1", RECEIVED_AT)
                .setCustomerId("ada@example.com")
                .setCustomerName("Ada Lovelace")
                .setSubject(subject)
                .setBody(body)
                .build();
    }

    static TicketEvent ticketWithAttachment() {
        Map<String, String> details = new HashMap<>();
        details.put("orderNumber", "A-1001");
        List<Attachment> attachments = new ArrayList<>();
        attachments.add(Attachment.newBuilder().setName("invoice.pdf").setContentType("application/pdf")
                .setSizeBytes(1234L).setReference(null).build());
        return Tickets.newTicket("whatsapp", "twilio", "SM123", "corr-42", RECEIVED_AT)
                .setCustomerId("+14155550100")
                .setCustomerName(null)
                .setSubject(null)
                .setBody("I was charged twice.")
                .setAttachments(attachments)
                .setDetails(details)
                .build();
    }

    /** Earlier tickets per customer, counted the way the JDBC history counts them. */
    static final class History implements ContactHistory {

        final Map<String, List<Instant>> earlier = new HashMap<>();
        final List<Instant> askedSince = new ArrayList<>();
        final List<Instant> askedUntil = new ArrayList<>();
        final List<String> askedCustomers = new ArrayList<>();

        History contact(String customerId, Instant at) {
            earlier.computeIfAbsent(customerId, id -> new ArrayList<>()).add(at);
            return this;
        }

        @Override
        public int contactsBetween(String customerId, Instant from, Instant until) {
            askedCustomers.add(customerId);
            askedSince.add(from);
            askedUntil.add(until);
            return (int) earlier.getOrDefault(customerId, List.of()).stream()
                    .filter(at -> !at.isBefore(from) && at.isBefore(until)).count();
        }
    }
}
