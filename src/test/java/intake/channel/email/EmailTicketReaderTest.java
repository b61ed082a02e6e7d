package intake.channel.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.entry;

import intake.ingress.IntakeRejection;
import intake.ticket.Attachment;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import jakarta.activation.DataHandler;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmailTicketReaderTest {

    private static final String MAILBOX = "support@example.com";
    private static final String CORRELATION_ID = "corr-1";
    private static final Instant RECEIVED_AT = Instant.parse("2025-03-04T10:16:00Z");
    private static final Instant SENT_AT = Instant.parse("2025-03-04T10:15:30Z");

    @RegisterExtension
    static final GreenMailExtension greenMail =
            new GreenMailExtension(ServerSetupTest.IMAP.dynamicPort()).withPerMethodLifecycle(false);

    private static final int MAX_MESSAGE_BYTES = 921_600;
    private static final int MAX_TEXT_CHARS = 10_000;

    private final Session session = Session.getInstance(new Properties());
    private final EmailTicketReader reader = new EmailTicketReader(MAX_MESSAGE_BYTES, MAX_TEXT_CHARS);

    @Test
    void readsAPlainTextMailAsItArrivesFromImap() throws Exception {
        MimeMessage built = newMessage("<plain-1@mail.example.net>");
        built.setText("Hello,\r\n\r\nmy order 1234 has not arrived.\r\n\r\nJane\r\n", "UTF-8");

        TicketEvent ticket = read(imap(built));

        assertThat(ticket.getTicketId()).isEqualTo(Tickets.ticketId("email", MAILBOX, "<plain-1@mail.example.net>"));
        assertThat(ticket.getChannel()).isEqualTo("email");
        assertThat(ticket.getSource()).isEqualTo(MAILBOX);
        assertThat(ticket.getSourceMessageId()).isEqualTo("<plain-1@mail.example.net>");
        assertThat(ticket.getCustomerId()).isEqualTo("jane@example.org");
        assertThat(ticket.getCustomerName()).isEqualTo("Jane Doe");
        assertThat(ticket.getSubject()).isEqualTo("Where is my order?");
        assertThat(ticket.getBody()).isEqualTo("Hello,\n\nmy order 1234 has not arrived.\n\nJane");
        assertThat(ticket.getReceivedAt()).isEqualTo(RECEIVED_AT);
        assertThat(ticket.getCorrelationId()).isEqualTo(CORRELATION_ID);
        assertThat(ticket.getAttachments()).isEmpty();
        assertThat(ticket.getDetails()).containsOnly(
                entry("to", "support@example.com"),
                entry("date", "2025-03-04T10:15:30Z"));
    }

    @Test
    void ticketIdIsDerivedFromChannelMailboxAndMessageId() throws Exception {
        MimeMessage built = newMessage("  <id-42@mail.example.net>  ");
        built.setText("Hi");
        MimeMessage received = imap(built);

        TicketEvent inSupport = reader.read(received, "support@example.com", CORRELATION_ID, RECEIVED_AT);
        TicketEvent inImap = reader.read(received, "imap", CORRELATION_ID, RECEIVED_AT);

        assertThat(inSupport.getSourceMessageId()).isEqualTo("<id-42@mail.example.net>");
        assertThat(inSupport.getTicketId())
                .isEqualTo(Tickets.ticketId("email", "support@example.com", "<id-42@mail.example.net>"));
        assertThat(inImap.getSource()).isEqualTo("imap");
        assertThat(inImap.getTicketId()).isEqualTo(Tickets.ticketId("email", "imap", "<id-42@mail.example.net>"));
        assertThat(inImap.getTicketId()).isNotEqualTo(inSupport.getTicketId());
    }

    @Test
    void prefersThePlainTextAlternative() throws Exception {
        MimeMessage built = newMessage("<alt@mail.example.net>");
        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(textPart("The plain version.", "plain"));
        alternative.addBodyPart(textPart("<html><body><p>The <b>HTML</b> version.</p></body></html>", "html"));
        built.setContent(alternative);

        assertThat(read(built).getBody()).isEqualTo("The plain version.");
        assertThat(read(imap(built)).getBody()).isEqualTo("The plain version.");
        assertThat(read(imap(built)).getAttachments()).isEmpty();
    }

    @Test
    void reducesAnHtmlOnlyMailToTextKeepingLineBreaks() throws Exception {
        MimeMessage built = newMessage("<html@mail.example.net>");
        built.setContent("""
                <html><head><title>Ignored title</title><style>p { color: red; }</style></head>
                <body>
                  <script>alert('x')</script>
                  <p>Hello   support,</p>
                  <p>My order <b>#123</b> is late.<br>Please   help.</p>
                  <div>Thanks,</div><div>Jane&nbsp;Doe</div>
                  <p></p><p></p><p></p>
                  <ul><li>first</li><li>second</li></ul>
                </body></html>
                """, "text/html; charset=UTF-8");

        TicketEvent ticket = read(imap(built));

        assertThat(ticket.getBody()).isEqualTo(
                "Hello support,\n\nMy order #123 is late.\nPlease help.\n\nThanks,\nJane Doe\n\n- first\n- second");
        assertThat(ticket.getBody()).doesNotContain("alert", "color", "Ignored title");
    }

    @Test
    void recordsAttachmentsWithTheirDecodedSizeAndKeepsThemOutOfTheBody() throws Exception {
        MimeMessage built = mixedMessage("<mixed@mail.example.net>");

        for (TicketEvent ticket : List.of(read(built), read(imap(built)))) {
            assertThat(ticket.getBody()).isEqualTo("Invoice attached, see the logo.");
            assertThat(ticket.getAttachments()).containsExactly(
                    attachment("logo.png", "image/png", 67),
                    attachment("Facture été.pdf", "application/pdf", 3001),
                    attachment("notes.txt", "text/plain", 22));
        }
    }

    @Test
    void readsMailFetchedFromARealImapServerTheSameOnEveryPoll() throws Exception {
        GreenMailUser user = greenMail.setUser("imap-poll@example.com", "imap-poll", "secret");
        user.deliver(mixedMessage("<imap-mixed@mail.example.net>"));
        MimeMessage withoutId = newMessage(null);
        withoutId.setText("Sent without a Message-ID");
        withoutId.saveChanges();
        user.deliver(withoutId);

        List<TicketEvent> firstPoll = pollImap("imap-poll", "secret");
        List<TicketEvent> secondPoll = pollImap("imap-poll", "secret");

        assertThat(firstPoll).hasSize(2);
        TicketEvent mixed = firstPoll.get(0);
        assertThat(mixed.getSourceMessageId()).isEqualTo("<imap-mixed@mail.example.net>");
        assertThat(mixed.getCustomerId()).isEqualTo("jane@example.org");
        assertThat(mixed.getSubject()).isEqualTo("Where is my order?");
        assertThat(mixed.getBody()).isEqualTo("Invoice attached, see the logo.");
        assertThat(mixed.getAttachments()).containsExactly(
                attachment("logo.png", "image/png", 67),
                attachment("Facture été.pdf", "application/pdf", 3001),
                attachment("notes.txt", "text/plain", 22));
        TicketEvent noId = firstPoll.get(1);
        assertThat(noId.getSourceMessageId()).startsWith("sha256:").hasSize(7 + 64);
        assertThat(noId.getBody()).isEqualTo("Sent without a Message-ID");
        assertThat(secondPoll).extracting(TicketEvent::getTicketId)
                .containsExactly(mixed.getTicketId(), noId.getTicketId());
    }

    @Test
    void decodesRawAttachmentHeadersAsMailClientsSendThem() throws Exception {
        MimeMessage received = parse("""
                From: jane@example.org\r
                Message-ID: <raw-attachments@mail.example.net>\r
                Subject: scans\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="b1"\r
                \r
                --b1\r
                Content-Type: application/pdf; name="=?UTF-8?Q?R=C3=A9sum=C3=A9.pdf?="\r
                Content-Disposition: attachment\r
                Content-Transfer-Encoding: base64\r
                \r
                JVBERi0xLjQK\r
                --b1\r
                Content-Type: application/octet-stream\r
                Content-Disposition: attachment\r
                Content-Transfer-Encoding: base64\r
                \r
                AAECAwQ=\r
                --b1\r
                Content-Type: image/jpeg\r
                Content-Disposition: attachment; filename="C:\\\\Users\\\\jane\\\\scan.jpg"\r
                \r
                abc\r
                --b1--\r
                """);

        TicketEvent ticket = read(received);

        assertThat(ticket.getBody()).isEmpty();
        assertThat(ticket.getAttachments()).containsExactly(
                attachment("Résumé.pdf", "application/pdf", 9),
                attachment("unnamed2", "application/octet-stream", 5),
                attachment("scan.jpg", "image/jpeg", 3));
    }

    @Test
    void decodesQuotedPrintableIsoLatin1() throws Exception {
        MimeMessage received = parse("""
                From: rene@example.fr\r
                Message-ID: <qp@mail.example.fr>\r
                Subject: commande\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=ISO-8859-1\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                Bonjour, je n'ai pas re=\r
                =E7u ma commande, d=E9j=E0 pay=E9e =3D 80 =80.\r
                \r
                Cordialement, Ren=E9e\r
                """);

        TicketEvent ticket = read(received);

        // =80 is the euro sign: ISO-8859-1 labelled mail is read as its superset windows-1252
        assertThat(ticket.getBody()).isEqualTo(
                "Bonjour, je n'ai pas reçu ma commande, déjà payée = 80 €.\n\nCordialement, Renée");
    }

    @Test
    void readsUnlabelledEightBitTextAsUtf8OrElseWindows1252() throws Exception {
        String headers = """
                From: jane@example.org\r
                Message-ID: <8bit@mail.example.net>\r
                MIME-Version: 1.0\r
                Content-Type: text/plain\r
                Content-Transfer-Encoding: 8bit\r
                \r
                """;
        byte[] utf8 = (headers + "Gr\u00fc\u00dfe \u2013 J\u00fcrgen\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] latin1 = (headers + "Gr\u00fc\u00dfe, Ren\u00e9e\r\n").getBytes(StandardCharsets.ISO_8859_1);

        assertThat(read(new MimeMessage(session, new ByteArrayInputStream(utf8))).getBody())
                .isEqualTo("Grüße – Jürgen");
        assertThat(read(new MimeMessage(session, new ByteArrayInputStream(latin1))).getBody())
                .isEqualTo("Grüße, Renée");
    }

    @Test
    void decodesBase64Utf8Html() throws Exception {
        String html = "<p>Gr\u00fc\u00dfe aus K\u00f6ln</p><p>\u2014 J\u00fcrgen</p>";
        MimeMessage received = parse("""
                From: juergen@example.de\r
                Message-ID: <b64@mail.example.de>\r
                MIME-Version: 1.0\r
                Content-Type: text/html; charset=utf-8\r
                Content-Transfer-Encoding: base64\r
                \r
                %s\r
                """.formatted(java.util.Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.UTF_8))));

        TicketEvent ticket = read(received);

        assertThat(ticket.getBody()).isEqualTo("Grüße aus Köln\n\n— Jürgen");
        assertThat(ticket.getSubject()).isNull();
    }

    @Test
    void decodesEncodedWordsInSubjectAndFromName() throws Exception {
        MimeMessage received = parse("""
                From: =?ISO-8859-1?Q?Ren=E9e_Fran=E7ois?= <renee@example.fr>\r
                To: Support <support@example.com>, sales@example.com\r
                Message-ID: <encoded@mail.example.fr>\r
                Subject: =?UTF-8?B?UsOpY2xhbWF0aW9u?= =?UTF-8?Q?_n=C2=B0_42_=E2=80=93_urgent?=\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=us-ascii\r
                \r
                Merci\r
                """);

        TicketEvent ticket = read(received);

        assertThat(ticket.getSubject()).isEqualTo("Réclamation n° 42 – urgent");
        assertThat(ticket.getCustomerName()).isEqualTo("Renée François");
        assertThat(ticket.getCustomerId()).isEqualTo("renee@example.fr");
        assertThat(ticket.getDetails()).containsEntry("to", "support@example.com, sales@example.com");
    }

    @Test
    void lowercasesTheFromAddressInTheCustomerId() throws Exception {
        MimeMessage built = newMessage("<upper@mail.example.net>");
        built.setFrom(new InternetAddress("John.Smith@Example.COM"));
        built.setText("Hi");

        TicketEvent ticket = read(imap(built));

        assertThat(ticket.getCustomerId()).isEqualTo("john.smith@example.com");
        assertThat(ticket.getCustomerName()).isNull();
    }

    @Test
    void recordsReplyToOnlyWhenItDiffersAndTheThreadHeaders() throws Exception {
        MimeMessage differs = newMessage("<reply-2@mail.example.net>");
        differs.setReplyTo(new InternetAddress[] {new InternetAddress("billing@example.org", "Billing")});
        differs.setHeader("In-Reply-To", "<ticket-1@example.com>");
        differs.setHeader("References", "<a@example.com>\r\n <ticket-1@example.com>");
        differs.setText("Re: your answer");
        MimeMessage same = newMessage("<reply-3@mail.example.net>");
        same.setReplyTo(new InternetAddress[] {new InternetAddress("JANE@example.org")});
        same.setText("Hi");

        assertThat(read(imap(differs)).getDetails()).containsOnly(
                entry("to", "support@example.com"),
                entry("replyTo", "billing@example.org"),
                entry("date", "2025-03-04T10:15:30Z"),
                entry("inReplyTo", "<ticket-1@example.com>"),
                entry("references", "<a@example.com> <ticket-1@example.com>"));
        assertThat(read(imap(same)).getDetails()).doesNotContainKeys("replyTo", "inReplyTo", "references");
    }

    @Test
    void withoutMessageIdTheIdIsAStableHashOfTheRawMail() throws Exception {
        MimeMessage built = newMessage(null);
        built.setText("No id here");
        byte[] raw = bytes(built);
        assertThat(new String(raw, StandardCharsets.US_ASCII)).doesNotContainIgnoringCase("Message-ID");
        String expected = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));

        TicketEvent first = read(new MimeMessage(session, new ByteArrayInputStream(raw)));
        TicketEvent second = read(new MimeMessage(session, new ByteArrayInputStream(raw)));

        assertThat(first.getSourceMessageId()).isEqualTo(expected).hasSize(7 + 64);
        assertThat(second.getSourceMessageId()).isEqualTo(expected);
        assertThat(second.getTicketId()).isEqualTo(first.getTicketId())
                .isEqualTo(Tickets.ticketId("email", MAILBOX, expected));
        assertThat(first.getBody()).isEqualTo("No id here");
    }

    @Test
    void rawBytesAreTheMailAsReceived() throws Exception {
        byte[] raw = bytes(withText(newMessage("<raw@mail.example.net>"), "audit me"));

        assertThat(reader.rawBytes(new MimeMessage(session, new ByteArrayInputStream(raw)))).isEqualTo(raw);
    }

    @Test
    void refusesAMailTheServerReportsOverTheLimitBeforeReadingIt() throws Exception {
        MimeMessage reported = new MimeMessage(session, new ByteArrayInputStream(
                bytes(withText(newMessage("<big@mail.example.net>"), "small, but the server says otherwise")))) {
            @Override
            public int getSize() {
                return MAX_MESSAGE_BYTES + 1;
            }

            @Override
            public void writeTo(OutputStream os) {
                throw new AssertionError("the content of an oversized mail is not read");
            }
        };

        IntakeRejection rejection = catchThrowableOfType(IntakeRejection.class, () -> reader.rawBytes(reported));

        assertThat(rejection.status()).isEqualTo(413);
        assertThat(rejection.error()).isEqualTo("payload_too_large");
        assertThat(rejection).hasMessage("The mail is 921601 bytes, over this channel's limit of 921600 bytes");
    }

    @Test
    void refusesAMailOverTheLimitWhoseSizeIsUnknownWhileCopyingIt() throws Exception {
        byte[] raw = bytes(withText(newMessage("<unknown-size@mail.example.net>"), "x".repeat(500)));
        EmailTicketReader exact = new EmailTicketReader(raw.length, MAX_TEXT_CHARS);
        EmailTicketReader oneShort = new EmailTicketReader(raw.length - 1, MAX_TEXT_CHARS);

        assertThat(exact.rawBytes(unknownSize(raw))).isEqualTo(raw);
        IntakeRejection rejection = catchThrowableOfType(IntakeRejection.class, () -> oneShort.rawBytes(unknownSize(raw)));
        assertThat(rejection.status()).isEqualTo(413);
        assertThat(rejection).hasMessage("The mail is larger than this channel's limit of " + (raw.length - 1) + " bytes");
    }

    @Test
    void cutsALongPlainTextBodyAndSaysSo() throws Exception {
        MimeMessage built = newMessage("<long@mail.example.net>");
        built.setText("é".repeat(MAX_TEXT_CHARS) + "the end", "UTF-8");

        TicketEvent ticket = read(imap(built));

        assertThat(ticket.getBody()).isEqualTo("é".repeat(MAX_TEXT_CHARS));
        assertThat(ticket.getDetails()).containsEntry("truncated", "true");
    }

    @Test
    void cutsALongHtmlBodyAndSaysSo() throws Exception {
        MimeMessage built = newMessage("<long-html@mail.example.net>");
        built.setContent("<p>" + "<b>a</b>".repeat(MAX_TEXT_CHARS + 1) + "</p>", "text/html; charset=UTF-8");

        TicketEvent ticket = read(imap(built));

        assertThat(ticket.getBody()).isEqualTo("a".repeat(MAX_TEXT_CHARS));
        assertThat(ticket.getDetails()).containsEntry("truncated", "true");
    }

    @Test
    void aBodyAtTheCapIsWholeAndNotMarked() throws Exception {
        MimeMessage built = newMessage("<at-cap@mail.example.net>");
        built.setText("a".repeat(MAX_TEXT_CHARS), "UTF-8");

        TicketEvent ticket = read(imap(built));

        assertThat(ticket.getBody()).hasSize(MAX_TEXT_CHARS);
        assertThat(ticket.getDetails()).doesNotContainKey("truncated");
    }

    @Test
    void readsATextPartOnlyUpToTheCap() throws Exception {
        // A part that never ends: read whole, it could not become a ticket at all.
        MimeMessage endless = new MimeMessage(session, new ByteArrayInputStream(
                bytes(withText(newMessage("<endless@mail.example.net>"), "replaced")))) {
            @Override
            public InputStream getInputStream() {
                return new InputStream() {
                    @Override
                    public int read() {
                        return 'a';
                    }
                };
            }
        };

        TicketEvent ticket = read(endless);

        assertThat(ticket.getBody()).isEqualTo("a".repeat(MAX_TEXT_CHARS));
        assertThat(ticket.getDetails()).containsEntry("truncated", "true");
    }

    @Test
    void cutsSubjectNameAndHeaderDetails() throws Exception {
        MimeMessage built = newMessage("<headers@mail.example.net>");
        built.setFrom(new InternetAddress("jane@example.org", "J".repeat(300)));
        built.setSubject("S".repeat(300));
        built.setHeader("References", String.join(" ", java.util.Collections.nCopies(100, "<ref-0123456789@example.com>")));
        built.setText("Hi");

        TicketEvent ticket = read(imap(built));

        assertThat(ticket.getCustomerName()).isEqualTo("J".repeat(200));
        assertThat(ticket.getSubject()).isEqualTo("S".repeat(200));
        assertThat(ticket.getDetails().get("references")).hasSize(998).startsWith("<ref-0123456789@example.com> <ref-");
        assertThat(ticket.getDetails()).doesNotContainKey("truncated");
    }

    @Test
    void readsLongRunsOfBlanksInHtmlAndPlainText() throws Exception {
        // Runs of blanks not followed by a line end are where a regex for trailing blanks backtracks.
        EmailTicketReader roomy = new EmailTicketReader(MAX_MESSAGE_BYTES, 1_000_000);
        String blanks = " ".repeat(200_000);
        MimeMessage html = newMessage("<blanks-html@mail.example.net>");
        html.setContent("<pre>a" + blanks + "b\nc" + blanks + "\n\n\n\nd</pre><p>e" + blanks + "f</p>",
                "text/html; charset=UTF-8");
        MimeMessage plain = newMessage("<blanks-plain@mail.example.net>");
        plain.setText(blanks + "x" + blanks + "y" + blanks, "UTF-8");

        assertThat(roomy.read(imap(html), MAILBOX, CORRELATION_ID, RECEIVED_AT).getBody())
                .isEqualTo("a" + blanks + "b\nc\n\nd\n\ne f");
        assertThat(roomy.read(imap(plain), MAILBOX, CORRELATION_ID, RECEIVED_AT).getBody())
                .isEqualTo("x" + blanks + "y");
    }

    @Test
    void tidyLinesDropsTrailingBlanksAndKeepsOneBlankLine() {
        assertThat(EmailTicketReader.tidyLines("a \t\n\n \n\n\tb  \nc\t")).isEqualTo("a\n\n\tb\nc\t");
        assertThat(EmailTicketReader.tidyLines("  ")).isEqualTo("  ");
    }

    @Test
    void rejectsAMailWithoutFrom() throws Exception {
        MimeMessage built = newMessage("<nofrom@mail.example.net>");
        built.removeHeader("From");
        built.setText("Who am I?");

        IntakeRejection rejection = catchThrowableOfType(IntakeRejection.class, () -> read(imap(built)));

        assertThat(rejection.status()).isEqualTo(422);
        assertThat(rejection.error()).isEqualTo("invalid_fields");
        assertThat(rejection.fields()).extracting(IntakeRejection.FieldError::field).containsExactly("from");
    }

    @Test
    void rejectsAFromThatIsNotAnEmailAddress() throws Exception {
        MimeMessage received = parse("""
                From: Customer Service\r
                Message-ID: <badfrom@mail.example.net>\r
                \r
                Hello\r
                """);

        IntakeRejection rejection = catchThrowableOfType(IntakeRejection.class, () -> read(received));

        assertThat(rejection.status()).isEqualTo(422);
        assertThat(rejection.fields()).extracting(IntakeRejection.FieldError::field).containsExactly("from");
    }

    @Test
    void rejectsUnparsableMimeAsMalformed() throws Exception {
        MimeMessage received = parse("""
                From: jane@example.org\r
                Message-ID: <broken@mail.example.net>\r
                MIME-Version: 1.0\r
                Content-Type: multipart/mixed; boundary="never-used"\r
                \r
                There is no boundary line in this body.\r
                """);

        IntakeRejection rejection = catchThrowableOfType(IntakeRejection.class, () -> read(received));

        assertThat(rejection.status()).isEqualTo(400);
        assertThat(rejection.error()).isEqualTo("malformed_body");
    }

    // ---------------------------------------------------------------------------------- helpers

    private TicketEvent read(Message message) {
        return reader.read(message, MAILBOX, CORRELATION_ID, RECEIVED_AT);
    }

    /** A message whose Message-ID is the one given (or none): saveChanges() would replace it. */
    private MimeMessage newMessage(String messageId) throws Exception {
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() {
            }
        };
        if (messageId != null) {
            message.setHeader("Message-ID", messageId);
        }
        message.setFrom(new InternetAddress("jane@example.org", "Jane Doe"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("support@example.com"));
        message.setSubject("Where is my order?");
        message.setSentDate(Date.from(SENT_AT));
        return message;
    }

    /** multipart/mixed: related(alternative(text, html), inline image), a PDF and a text attachment. */
    private MimeMessage mixedMessage(String messageId) throws Exception {
        byte[] pdf = bytes(3001);
        byte[] png = bytes(67);
        MimeMessage built = newMessage(messageId);

        MimeMultipart alternative = new MimeMultipart("alternative");
        alternative.addBodyPart(textPart("Invoice attached, see the logo.", "plain"));
        alternative.addBodyPart(textPart("<p>Invoice attached, see the <img src=\"cid:logo@x\">.</p>", "html"));
        MimeBodyPart alternativePart = new MimeBodyPart();
        alternativePart.setContent(alternative);

        MimeBodyPart image = new MimeBodyPart();
        image.setDataHandler(new DataHandler(new ByteArrayDataSource(png, "image/png")));
        image.setFileName("logo.png");
        image.setDisposition(Part.INLINE);
        image.setContentID("<logo@x>");
        MimeMultipart related = new MimeMultipart("related");
        related.addBodyPart(alternativePart);
        related.addBodyPart(image);
        MimeBodyPart relatedPart = new MimeBodyPart();
        relatedPart.setContent(related);

        MimeBodyPart invoice = new MimeBodyPart();
        invoice.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
        invoice.setFileName("Facture été.pdf");
        invoice.setDisposition(Part.ATTACHMENT);

        MimeBodyPart notes = new MimeBodyPart();
        // No line break at the end: GreenMail reports a text part one line break short over IMAP
        notes.setText("not the body\r\nline two", "UTF-8");
        notes.setFileName("notes.txt");
        notes.setDisposition(Part.ATTACHMENT);

        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(relatedPart);
        mixed.addBodyPart(invoice);
        mixed.addBodyPart(notes);
        built.setContent(mixed);
        return built;
    }

    /** One IMAP poll as camel-mail does it: connect, read every message in INBOX, disconnect. */
    private List<TicketEvent> pollImap(String login, String password) throws Exception {
        Store store = session.getStore("imap");
        store.connect(greenMail.getImap().getBindTo(), greenMail.getImap().getPort(), login, password);
        try {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                List<TicketEvent> tickets = new ArrayList<>();
                for (Message message : inbox.getMessages()) {
                    tickets.add(read(message));
                }
                return tickets;
            } finally {
                inbox.close(false);
            }
        } finally {
            store.close();
        }
    }

    private static MimeMessage withText(MimeMessage message, String text) throws Exception {
        message.setText(text);
        return message;
    }

    private static MimeBodyPart textPart(String text, String subtype) throws Exception {
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text, "UTF-8", subtype);
        return part;
    }

    /** The message as IMAP delivers it: its RFC 822 bytes parsed back. */
    private MimeMessage imap(MimeMessage built) throws Exception {
        return new MimeMessage(session, new ByteArrayInputStream(bytes(built)));
    }

    /** The mail as a store that cannot tell its size (getSize() is -1) hands it over. */
    private MimeMessage unknownSize(byte[] raw) throws Exception {
        return new MimeMessage(session, new ByteArrayInputStream(raw)) {
            @Override
            public int getSize() {
                return -1;
            }
        };
    }

    private MimeMessage parse(String raw) throws Exception {
        return new MimeMessage(session, new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static byte[] bytes(MimeMessage message) throws Exception {
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    private static byte[] bytes(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        return bytes;
    }

    private static Attachment attachment(String name, String contentType, long size) {
        return Attachment.newBuilder().setName(name).setContentType(contentType).setSizeBytes(size)
                .setReference(null).build();
    }
}
