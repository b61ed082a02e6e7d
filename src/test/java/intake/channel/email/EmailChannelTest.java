package intake.channel.email;

import static intake.testing.Records.ticket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import intake.testing.FreePorts;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The email channel end to end: a real IMAP server (GreenMail) polled by the email-ingress route. */
class EmailChannelTest extends IntakeIntegrationTest {

    private static final String MAILBOX = "support@intake.test";
    private static final String PASSWORD = "mailbox-password";
    private static final int MAX_MESSAGE_BYTES = 65_536;
    private static final GreenMail IMAP = startImap();

    @DynamicPropertySource
    static void mailbox(DynamicPropertyRegistry registry) {
        registry.add("intake.channels.email.enabled", () -> "true");
        registry.add("intake.channels.email.protocol", () -> "imap");
        registry.add("intake.channels.email.host", () -> "127.0.0.1");
        registry.add("intake.channels.email.port", () -> IMAP.getImap().getPort());
        registry.add("intake.channels.email.username", () -> MAILBOX);
        registry.add("intake.channels.email.password", () -> PASSWORD);
        registry.add("intake.channels.email.poll-delay-ms", () -> "200");
        registry.add("intake.channels.email.max-message-bytes", () -> MAX_MESSAGE_BYTES);
    }

    @AfterAll
    static void stopImap() {
        IMAP.stop();
    }

    @Test
    void polledMailBecomesATicketAndIsMarkedSeen() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@customer.example>";
        MimeMessage mail = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        mail.setFrom(new InternetAddress("Marie.Curie@Example.ORG", "Marie Curie", "UTF-8"));
        mail.setRecipients(Message.RecipientType.TO, MAILBOX);
        mail.setSubject("Réclamation : commande 42", "UTF-8");
        MimeMultipart alternative = new MimeMultipart("alternative");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Bonjour, ma commande n'est pas arrivée.", "UTF-8");
        MimeBodyPart html = new MimeBodyPart();
        html.setContent("<p>Bonjour, <b>ma commande</b> n'est pas arrivée.</p>", "text/html; charset=UTF-8");
        alternative.addBodyPart(text);
        alternative.addBodyPart(html);
        MimeBodyPart body = new MimeBodyPart();
        body.setContent(alternative);
        MimeBodyPart invoice = new MimeBodyPart();
        invoice.setContent("%PDF-1.4 fake invoice".getBytes(StandardCharsets.US_ASCII), "application/pdf");
        invoice.setFileName("facture.pdf");
        invoice.setDisposition(MimeBodyPart.ATTACHMENT);
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(body);
        mixed.addBodyPart(invoice);
        mail.setContent(mixed);
        mail.saveChanges();

        IMAP.getUserManager().getUser(MAILBOX).deliver(mail);

        String ticketId = Tickets.ticketId("email", MAILBOX, messageId).toString();
        ConsumerRecord<String, byte[]> record = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(record.key()).isEqualTo("marie.curie@example.org");
        TicketEvent ticket = ticket(record);
        assertThat(ticket.getChannel()).isEqualTo("email");
        assertThat(ticket.getSourceMessageId()).isEqualTo(messageId);
        assertThat(ticket.getCustomerName()).isEqualTo("Marie Curie");
        assertThat(ticket.getSubject()).isEqualTo("Réclamation : commande 42");
        assertThat(ticket.getBody()).isEqualTo("Bonjour, ma commande n'est pas arrivée.");
        assertThat(ticket.getAttachments()).singleElement().satisfies(a -> {
            assertThat(a.getName()).isEqualTo("facture.pdf");
            assertThat(a.getContentType()).isEqualTo("application/pdf");
            assertThat(a.getSizeBytes()).isEqualTo(21L);
        });

        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("fte.channels.email.inbound",
                Records.withHeader("intake_correlation_id", ticket.getCorrelationId()), 1).get(0);
        assertThat(new String(raw.value(), StandardCharsets.UTF_8)).contains("Message-ID: " + messageId, "facture.pdf");

        await().atMost(Duration.ofSeconds(10)).until(() -> seen(messageId));
    }

    @Test
    void mailWithoutSenderStaysInTheMailboxAndPublishesNothing() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@nowhere>";
        MimeMessage mail = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        mail.setRecipients(Message.RecipientType.TO, MAILBOX);
        mail.setSubject("no sender");
        mail.setText("orphan");
        mail.saveChanges();
        long before = kafka.endOffsetSum(List.of("fte.tickets.incoming", "fte.channels.email.inbound"));

        IMAP.getUserManager().getUser(MAILBOX).deliver(mail);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen(messageId));
        assertThat(kafka.endOffsetSum(List.of("fte.tickets.incoming", "fte.channels.email.inbound"))).isEqualTo(before);
        assertThat(exists(messageId)).isTrue();
    }

    @Test
    void oversizedMailIsRefusedMarkedSeenAndNotReadAgain() throws Exception {
        String bigId = "<" + UUID.randomUUID() + "@customer.example>";
        MimeMessage big = mail(bigId, "big@customer.example", "x".repeat(MAX_MESSAGE_BYTES));
        List<String> topics = List.of("fte.tickets.incoming", "fte.channels.email.inbound");
        long before = kafka.endOffsetSum(topics);
        double refused = metric("intake_requests_rejected_total", "status=\"413\"");

        IMAP.getUserManager().getUser(MAILBOX).deliver(big);

        await().atMost(Duration.ofSeconds(10)).until(() -> seen(bigId));
        assertThat(kafka.endOffsetSum(topics)).isEqualTo(before);
        assertThat(metric("intake_requests_rejected_total", "route=\"email-ingress\",status=\"413\""))
                .isEqualTo(refused + 1);
        assertThat(exists(bigId)).isTrue();

        // A mail delivered after it is read by a later poll, which must not read the big one again.
        String nextId = "<" + UUID.randomUUID() + "@customer.example>";
        IMAP.getUserManager().getUser(MAILBOX).deliver(mail(nextId, "next@customer.example", "Still there?"));

        String ticketId = Tickets.ticketId("email", MAILBOX, nextId).toString();
        TicketEvent next = ticket(kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0));
        assertThat(next.getBody()).isEqualTo("Still there?");
        await().atMost(Duration.ofSeconds(10)).until(() -> seen(nextId));
        assertThat(kafka.endOffsetSum(topics)).isEqualTo(before + 2);
        assertThat(metric("intake_requests_rejected_total", "status=\"413\"")).isEqualTo(refused + 1);
    }

    @Test
    void mailHeadersNamedLikeControlHeadersSteerNoRecord() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@customer.example>";
        MimeMessage mail = mail(messageId, "steady@customer.example", "Where is my parcel?");
        // camel-mail turns mail headers into Camel headers: none of these may reach a record's control
        for (String name : List.of("kafka.OVERRIDE_TOPIC", "Kafka.Override_Topic", "kafka.KEY", "KAFKA.PARTITION_KEY",
                "kafka.OVERRIDE_TIMESTAMP", "CamelIntakeTopic", "ce_id", "intake_correlation_id")) {
            mail.addHeader(name, name.contains("PARTITION") ? "7" : name.contains("TIMESTAMP") ? "1000" : "fte.dlq");
        }
        mail.saveChanges();
        long steeredBefore = kafka.endOffsetSum(List.of("fte.dlq"));

        IMAP.getUserManager().getUser(MAILBOX).deliver(mail);

        String ticketId = Tickets.ticketId("email", MAILBOX, messageId).toString();
        ConsumerRecord<String, byte[]> record = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(record.key()).isEqualTo("steady@customer.example");
        assertThat(record.partition()).isEqualTo(Records.partitionFor("steady@customer.example", 12));
        assertThat(record.timestamp()).isGreaterThan(1000);
        TicketEvent ticket = ticket(record);
        assertThat(Records.header(record, "intake_correlation_id")).isEqualTo(ticket.getCorrelationId()).isNotEqualTo("fte.dlq");
        ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("fte.channels.email.inbound",
                Records.withHeader("intake_correlation_id", ticket.getCorrelationId()), 1).get(0);
        assertThat(raw.key()).isEqualTo("steady@customer.example");
        List<String> rawHeaders = new java.util.ArrayList<>();
        raw.headers().forEach(h -> rawHeaders.add(h.key()));
        assertThat(rawHeaders).containsExactlyInAnyOrder("ce_specversion", "ce_id", "ce_type", "ce_source", "ce_subject", "ce_time",
                "intake_correlation_id");
        assertThat(kafka.endOffsetSum(List.of("fte.dlq"))).isEqualTo(steeredBefore);
    }

    @Test
    void aMailSeenAgainIsNotPublishedAgain() throws Exception {
        String messageId = "<" + UUID.randomUUID() + "@customer.example>";
        String ticketId = Tickets.ticketId("email", MAILBOX, messageId).toString();
        double duplicates = metric("intake_requests_duplicate_total", "channel=\"email\"");

        IMAP.getUserManager().getUser(MAILBOX).deliver(mail(messageId, "twice@customer.example", "Sent twice"));
        await().atMost(Duration.ofSeconds(10)).until(() -> seen(messageId));
        // the same mail again (a resend, or a copy another instance already took): another unseen message
        IMAP.getUserManager().getUser(MAILBOX).deliver(mail(messageId, "twice@customer.example", "Sent twice"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> metric("intake_requests_duplicate_total", "channel=\"email\"") == duplicates + 1);

        assertThat(withInbox(inbox -> inbox.search(new jakarta.mail.search.MessageIDTerm(messageId)).length == 2
                && inbox.getUnreadMessageCount() == 0)).as("both copies marked seen").isTrue();
        assertThat(kafka.readAll("fte.tickets.incoming").stream().filter(Records.withHeader("ce_id", ticketId))).hasSize(1);
        String correlationId = ticket(kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0))
                .getCorrelationId();
        assertThat(kafka.readAll("fte.channels.email.inbound").stream().filter(Records.withHeader("intake_correlation_id", correlationId)))
                .hasSize(1);
    }

    /** A plain-text mail with the given Message-ID (saveChanges() would replace it). */
    private static MimeMessage mail(String messageId, String from, String text) throws Exception {
        MimeMessage mail = new MimeMessage(Session.getInstance(new Properties())) {
            @Override
            protected void updateMessageID() throws jakarta.mail.MessagingException {
                setHeader("Message-ID", messageId);
            }
        };
        mail.setFrom(new InternetAddress(from));
        mail.setRecipients(Message.RecipientType.TO, MAILBOX);
        mail.setSubject("size");
        mail.setText(text, "UTF-8");
        mail.saveChanges();
        return mail;
    }

    private static boolean seen(String messageId) throws Exception {
        return withInbox(inbox -> {
            for (Message message : inbox.getMessages()) {
                String[] ids = message.getHeader("Message-ID");
                if (ids != null && ids[0].equals(messageId)) {
                    return message.isSet(Flags.Flag.SEEN);
                }
            }
            return false;
        });
    }

    private static boolean exists(String messageId) throws Exception {
        return withInbox(inbox -> inbox.search(new jakarta.mail.search.MessageIDTerm(messageId)).length == 1);
    }

    private interface InboxCheck {
        boolean check(Folder inbox) throws Exception;
    }

    private static boolean withInbox(InboxCheck check) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imap.peek", "true");
        Store store = Session.getInstance(properties).getStore("imap");
        store.connect("127.0.0.1", IMAP.getImap().getPort(), MAILBOX, PASSWORD);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                return check.check(inbox);
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }

    private static GreenMail startImap() {
        GreenMail greenMail = new GreenMail(new ServerSetup(FreePorts.free(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
        greenMail.start();
        greenMail.setUser(MAILBOX, MAILBOX, PASSWORD);
        return greenMail;
    }

}
