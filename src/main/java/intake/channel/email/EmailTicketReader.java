package intake.channel.email;

import intake.ingress.IntakeRejection;
import intake.ingress.IntakeRejection.FieldError;
import intake.ticket.Attachment;
import intake.ticket.CustomerIds;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import jakarta.activation.DataHandler;
import jakarta.mail.Address;
import jakarta.mail.FolderClosedException;
import jakarta.mail.Message;
import jakarta.mail.MessageRemovedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.StoreClosedException;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;
import org.jsoup.select.NodeTraversor;
import org.jsoup.select.NodeVisitor;

/** Turns one received mail (as camel-mail hands it over) into one {@link TicketEvent}. */
public final class EmailTicketReader {

    public static final String CHANNEL = "email";

    /** Elements whose text is set off by a blank line. */
    private static final Set<String> PARAGRAPHS = Set.of(
            "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl", "hr");
    /** Elements whose text starts on a line of its own. */
    private static final Set<String> LINES = Set.of(
            "div", "li", "tr", "dt", "dd", "address", "article", "aside", "caption", "center", "details",
            "fieldset", "figcaption", "figure", "footer", "form", "header", "legend", "main", "nav",
            "section", "summary", "body");
    private static final Set<String> CELLS = Set.of("td", "th");
    /** Subject and name: what the web form and the webhooks accept for theirs. */
    private static final int MAX_NAME_CHARS = 200;
    /**
     * Any other header value kept (Message-ID, To, References, ...): RFC 5322's line limit. A longer
     * one is folded over many lines, which no real Message-ID needs; a long References keeps its
     * first ids, the thread's root.
     */
    private static final int MAX_HEADER_CHARS = 998;
    /** The most bytes one character of text takes in the charsets mail uses (UTF-8, UTF-16, single-byte ones). */
    private static final int MAX_BYTES_PER_CHAR = 4;

    private final long maxMessageBytes;
    private final int maxTextChars;

    /**
     * @param maxMessageBytes the largest mail read, in RFC 822 bytes; a larger one is refused (413)
     * @param maxTextChars    the body is cut after this many characters
     */
    public EmailTicketReader(long maxMessageBytes, int maxTextChars) {
        if (maxMessageBytes < 1 || maxTextChars < 1) {
            throw new IllegalArgumentException("The email limits must be positive: max-message-bytes "
                    + maxMessageBytes + ", max-text-chars " + maxTextChars);
        }
        this.maxMessageBytes = maxMessageBytes;
        this.maxTextChars = maxTextChars;
    }

    /**
     * Reads the mail. {@code mailbox} becomes the ticket's source (the address or name of the
     * mailbox polled), so the same Message-ID in two mailboxes gives two tickets.
     *
     * @throws IntakeRejection 422 when there is no usable From address, 400 when the MIME structure
     *                         cannot be parsed, 413 when the mail has no Message-ID and is over the
     *                         size limit (its raw bytes are hashed)
     * @throws IllegalStateException when the mail store fails while the message is read (retry)
     */
    public TicketEvent read(Message message, String mailbox, String correlationId, Instant receivedAt) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(mailbox, "mailbox");
        Objects.requireNonNull(correlationId, "correlationId");
        Objects.requireNonNull(receivedAt, "receivedAt");
        try {
            InternetAddress from = from(message);
            TicketEvent.Builder ticket = Tickets.newTicket(CHANNEL, mailbox, sourceMessageId(message),
                    correlationId, receivedAt);
            Content content = new Content(new ArrayList<>());
            content.walk(message);
            Map<String, String> details = details(message, from);
            String body = content.body();
            if (content.truncated || body.length() > maxTextChars) {
                body = cut(body, maxTextChars);
                details.put("truncated", "true");
            }
            return ticket
                    .setCustomerId(CustomerIds.fromEmail(from.getAddress()))
                    .setCustomerName(cut(blankToNull(from.getPersonal()), MAX_NAME_CHARS))
                    .setSubject(cut(blankToNull(message.getSubject()), MAX_NAME_CHARS))
                    .setBody(body)
                    .setAttachments(content.attachments)
                    .setDetails(details)
                    .build();
        } catch (MessagingException | IOException e) {
            throw translate(e);
        }
    }

    /**
     * The mail in its RFC 822 form, for the raw audit record. Call it before anything else reads the
     * mail: it refuses one over the size limit before its content is fetched.
     *
     * @throws IntakeRejection 413 when the mail is larger than {@code maxMessageBytes}
     */
    public byte[] rawBytes(Message message) {
        // A message parsed from a stream or fetched over IMAP is already "saved": writeTo copies it
        // as received. (A MimeMessage built in memory gets saveChanges() here, which sets headers.)
        try {
            // Over IMAP the server reports the size (RFC822.SIZE) without sending the mail.
            int size = message.getSize();
            if (size > maxMessageBytes) {
                throw tooLarge(size);
            }
            // The size may be unknown (-1) or wrong: the copy stops once over the limit all the same.
            BoundedBuffer out = new BoundedBuffer();
            message.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException | IOException e) {
            throw translate(e);
        }
    }

    /** 413, naming the size when known ({@code -1} when not) and the limit: the route logs it. */
    private IntakeRejection tooLarge(long size) {
        String mail = size < 0 ? "The mail is larger than" : "The mail is " + size + " bytes, over";
        return new IntakeRejection(413, "payload_too_large", mail + " this channel's limit of " + maxMessageBytes + " bytes");
    }

    /** Collects the mail's bytes, and refuses the mail (413) at the first byte over the limit. */
    private final class BoundedBuffer extends ByteArrayOutputStream {

        @Override
        public synchronized void write(int b) {
            requireRoom(1);
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            requireRoom(len);
            super.write(b, off, len);
        }

        private void requireRoom(int len) {
            if (count + (long) len > maxMessageBytes) {
                throw tooLarge(-1);
            }
        }
    }

    // ---------------------------------------------------------------------------------- headers

    private static InternetAddress from(Message message) throws MessagingException {
        Address[] from;
        try {
            from = message.getFrom();
        } catch (AddressException e) {
            throw fromRejected("The From header is not a valid address: " + e.getMessage());
        }
        if (from == null || from.length == 0) {
            throw fromRejected("The mail has no From address");
        }
        // RFC 5322 allows several authors; the first one is the customer.
        if (!(from[0] instanceof InternetAddress address) || !CustomerIds.isEmail(address.getAddress())) {
            throw fromRejected("The From address is not an email address");
        }
        return address;
    }

    private static IntakeRejection fromRejected(String message) {
        return IntakeRejection.invalidFields(List.of(new FieldError("from", message)));
    }

    private String sourceMessageId(Message message) throws MessagingException {
        String messageId = firstHeader(message, "Message-ID");
        if (messageId != null) {
            return cut(messageId, MAX_HEADER_CHARS);
        }
        // No Message-ID: hash the raw RFC 822 bytes instead. An IMAP re-poll of the same mail
        // returns the same bytes, so it gets the same sourceMessageId and hence the same ticket id.
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(rawBytes(message));
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static Map<String, String> details(Message message, InternetAddress from) throws MessagingException {
        Map<String, String> details = new LinkedHashMap<>();
        putCut(details, "to", addressList(message, "To"));
        putCut(details, "replyTo", replyTo(message, from));
        // getSentDate() parses the Date header leniently; null when absent or unparsable.
        Date date = message.getSentDate();
        if (date != null) {
            details.put("date", date.toInstant().toString());
        }
        putCut(details, "inReplyTo", firstHeader(message, "In-Reply-To"));
        putCut(details, "references", firstHeader(message, "References"));
        return details;
    }

    private static void putCut(Map<String, String> details, String key, String value) {
        if (value != null) {
            details.put(key, cut(value, MAX_HEADER_CHARS));
        }
    }

    /**
     * The Reply-To addresses when they differ from From. Read from the header itself: {@link
     * Message#getReplyTo()} falls back to From when there is no Reply-To.
     */
    private static String replyTo(Message message, InternetAddress from) throws MessagingException {
        String replyTo = addressList(message, "Reply-To");
        if (replyTo == null || replyTo.equalsIgnoreCase(from.getAddress())) {
            return null;
        }
        return replyTo;
    }

    /** The addresses of an address header, comma separated; the decoded text when unparsable. */
    private static String addressList(Message message, String name) throws MessagingException {
        String header = firstHeader(message, name);
        if (header == null) {
            return null;
        }
        try {
            InternetAddress[] addresses = InternetAddress.parseHeader(header, false);
            String list = Arrays.stream(addresses)
                    .map(InternetAddress::getAddress)
                    .filter(Objects::nonNull)
                    .collect(Collectors.joining(", "));
            return list.isEmpty() ? null : list;
        } catch (AddressException e) {
            return decodeText(header);
        }
    }

    /** The first non-blank value of a header, unfolded and trimmed, as sent (not decoded). */
    private static String firstHeader(Message message, String name) throws MessagingException {
        String[] values = message.getHeader(name);
        if (values == null) {
            return null;
        }
        for (String value : values) {
            if (value != null) {
                // Collapsing every whitespace run also unfolds: a fold is a line break and a blank.
                StringBuilder collapsed = new StringBuilder(value.length());
                appendCollapsed(collapsed, value);
                String unfolded = collapsed.toString().trim();
                if (!unfolded.isEmpty()) {
                    return unfolded;
                }
            }
        }
        return null;
    }

    private static String decodeText(String text) {
        try {
            return MimeUtility.decodeText(text);
        } catch (UnsupportedEncodingException e) {
            return text;
        }
    }

    private static String blankToNull(String value) {
        if (value == null) {
            return null;
        }
        String trimmed = value.trim();
        return trimmed.isEmpty() ? null : trimmed;
    }

    /** The first {@code max} characters, without splitting a surrogate pair; null stays null. */
    private static String cut(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    // ---------------------------------------------------------------------------------- content

    /** Walks the MIME tree, collecting the text of the body and the attachments' metadata. */
    private final class Content {

        private final List<String> texts = new ArrayList<>();
        private final List<Attachment> attachments;
        private boolean plain;
        /** A text part was longer than the body may be, and was read only up to the cap. */
        private boolean truncated;

        Content(List<Attachment> attachments) {
            this.attachments = attachments;
        }

        String body() {
            return texts.stream().filter(text -> !text.isEmpty()).collect(Collectors.joining("\n\n"));
        }

        void walk(Part part) throws MessagingException, IOException {
            String type = baseType(part);
            String disposition = disposition(part);
            if (Part.ATTACHMENT.equals(disposition)) {
                attach(part, type);
            } else if (type.startsWith("multipart/")) {
                Multipart multipart = multipart(part);
                if (type.equals("multipart/alternative")) {
                    alternative(multipart);
                } else {
                    for (int i = 0; i < multipart.getCount(); i++) {
                        walk(multipart.getBodyPart(i));
                    }
                }
            } else if (type.equals("text/plain")) {
                String text = plainText(part);
                texts.add(text);
                plain |= !text.isEmpty();
            } else if (type.equals("text/html")) {
                texts.add(htmlText(part));
            } else if (fileName(part) != null || (disposition == null && header(part, "Content-ID") == null)) {
                // Inline non-text parts with a file name (an inline image) count as attachments, as
                // do bare parts nothing refers to. Unnamed inline parts (cid: images) are decoration.
                attach(part, type);
            }
        }

        /**
         * The alternatives are the same content: take the first that has plain text, otherwise the
         * last (richest) one that has any text. Attachments are collected from all of them.
         */
        private void alternative(Multipart multipart) throws MessagingException, IOException {
            Content chosen = null;
            boolean chosenIsPlain = false;
            for (int i = 0; i < multipart.getCount(); i++) {
                Content alternative = new Content(attachments);
                alternative.walk(multipart.getBodyPart(i));
                boolean hasText = alternative.texts.stream().anyMatch(text -> !text.isEmpty());
                if (!chosenIsPlain && hasText) {
                    chosen = alternative;
                    chosenIsPlain = alternative.plain;
                }
            }
            if (chosen != null) {
                texts.addAll(chosen.texts);
                plain |= chosen.plain;
                truncated |= chosen.truncated;
            }
        }

        /**
         * The part's text, up to the cap. Decoding stops there: the part is read only as far as the
         * cap's characters can take bytes, so a huge text part is never decoded whole.
         */
        private String plainText(Part part) throws MessagingException, IOException {
            Bytes bytes = decodedBytes(part, (long) maxTextChars * MAX_BYTES_PER_CHAR);
            truncated |= bytes.cut();
            String text = decode(bytes, part).replace("\r\n", "\n").replace('\r', '\n').trim();
            return cut(text, maxTextChars + 1); // one over, so that body() sees the cut
        }

        /**
         * The HTML's text, up to the cap. Markup can outweigh text many times, so the part is read
         * up to the mail's own size limit, which {@link #rawBytes} already held the mail to.
         */
        private String htmlText(Part part) throws MessagingException, IOException {
            Bytes bytes = decodedBytes(part, maxMessageBytes);
            truncated |= bytes.cut();
            Document document = charsetName(part) == null
                    // No charset parameter: let jsoup honour a BOM or <meta charset>, UTF-8 otherwise.
                    ? Jsoup.parse(new ByteArrayInputStream(bytes.bytes()), null, "")
                    : Jsoup.parse(decode(bytes, part));
            return cut(htmlToText(document), maxTextChars + 1);
        }

        private void attach(Part part, String type) throws MessagingException, IOException {
            String name = fileName(part);
            attachments.add(Attachment.newBuilder()
                    .setName(name != null ? name : "unnamed" + (attachments.size() + 1))
                    .setContentType(type)
                    .setSizeBytes(decodedSize(part))
                    .setReference(null)
                    .build());
        }
    }

    private static Multipart multipart(Part part) throws MessagingException, IOException {
        Object content = part.getContent();
        if (content instanceof Multipart multipart) {
            return multipart;
        }
        // Without a registered handler (activation lost in a repackaged jar) getContent() gives a
        // stream; parse the multipart from the part's data source ourselves.
        return new MimeMultipart(part.getDataHandler().getDataSource());
    }

    /** The real decoded size; {@code Part.getSize()} is the encoded size or -1. Null when undecodable. */
    private static Long decodedSize(Part part) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            if (isDecodingError(e)) {
                return null; // a broken attachment encoding does not lose the customer's message
            }
            throw e;
        }
    }

    /** A part's decoded bytes, read up to a limit; {@code cut} when the part has more. */
    private record Bytes(byte[] bytes, boolean cut) {
    }

    private static Bytes decodedBytes(Part part, long limit) throws MessagingException, IOException {
        try (InputStream in = part.getInputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
            return new Bytes(bytes, in.read() != -1);
        }
    }

    /** Reduces HTML to readable text: block elements and {@code <br>} become line breaks. */
    private static String htmlToText(Document document) {
        document.select("script, style, noscript, template, head, title").remove();
        StringBuilder out = new StringBuilder();
        NodeTraversor.traverse(new NodeVisitor() {
            @Override
            public void head(Node node, int depth) {
                if (node instanceof TextNode text) {
                    if (inPre(text)) {
                        out.append(text.getWholeText().replace("\r\n", "\n"));
                    } else {
                        appendCollapsed(out, text.getWholeText());
                    }
                } else if (node instanceof Element element) {
                    String tag = element.normalName();
                    if (tag.equals("br")) {
                        out.append('\n');
                    } else if (PARAGRAPHS.contains(tag)) {
                        endLines(out, 2);
                    } else if (LINES.contains(tag)) {
                        endLines(out, 1);
                    }
                    if (tag.equals("li")) {
                        out.append("- ");
                    }
                }
            }

            @Override
            public void tail(Node node, int depth) {
                if (node instanceof Element element) {
                    String tag = element.normalName();
                    if (PARAGRAPHS.contains(tag)) {
                        endLines(out, 2);
                    } else if (LINES.contains(tag)) {
                        endLines(out, 1);
                    } else if (CELLS.contains(tag) && !out.isEmpty()
                            && !Character.isWhitespace(out.charAt(out.length() - 1))) {
                        out.append(' ');
                    }
                }
            }
        }, document.body());
        return tidyLines(out).trim();
    }

    /**
     * Drops the blanks that end each line and keeps at most one blank line in a row. One pass, each
     * character appended once and removed at most once: linear, where a regex such as
     * {@code (?m)[ \t]+$} backtracks quadratically over a long run of blanks not ending a line.
     */
    static String tidyLines(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        int lineEnd = 0;   // the length of out up to the last character that is not a blank
        int breaks = 0;    // line breaks in a row at lineEnd
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.setLength(lineEnd);
                if (breaks < 2) {
                    out.append('\n');
                    breaks++;
                }
                lineEnd = out.length();
            } else {
                out.append(c);
                if (c != ' ' && c != '\t') {
                    lineEnd = out.length();
                    breaks = 0;
                }
            }
        }
        return out.toString();
    }

    /** Ends the text so far with at least {@code count} line breaks (none at the very start). */
    private static void endLines(StringBuilder out, int count) {
        int trailing = 0;
        for (int i = out.length() - 1; i >= 0 && trailing < count; i--) {
            char c = out.charAt(i);
            if (c == '\n') {
                trailing++;
            } else if (c != ' ') {
                break;
            }
        }
        if (!out.isEmpty()) {
            out.append("\n".repeat(count - trailing));
        }
    }

    private static boolean inPre(TextNode text) {
        for (Node parent = text.parentNode(); parent != null; parent = parent.parentNode()) {
            if (parent instanceof Element element && element.normalName().equals("pre")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Appends the text with each run of whitespace (and no-break spaces) as one space, none where
     * {@code out} is empty or already ends with whitespace. A loop, linear in the text.
     */
    private static void appendCollapsed(StringBuilder out, String text) {
        boolean blank = out.isEmpty() || Character.isWhitespace(out.charAt(out.length() - 1));
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B' || c == '\u00A0') {
                if (!blank) {
                    out.append(' ');
                    blank = true;
                }
            } else {
                out.append(c);
                blank = false;
            }
        }
    }

    // ---------------------------------------------------------------------------------- MIME

    /** The base type lowercased, without parameters; text/plain when absent (RFC 2045). */
    private static String baseType(Part part) throws MessagingException {
        String header = contentType(part);
        if (header == null) {
            return "text/plain";
        }
        try {
            return new ContentType(header).getBaseType().toLowerCase(Locale.ROOT);
        } catch (ParseException e) {
            int semicolon = header.indexOf(';');
            String type = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
            return type.isEmpty() ? "text/plain" : type;
        }
    }

    /**
     * The part's Content-Type. Asked of its data handler, which for a received part reads the header
     * and for a part built in memory and not yet saved (no header yet) knows the type of its data.
     */
    private static String contentType(Part part) throws MessagingException {
        DataHandler handler = part.getDataHandler();
        String type = handler == null ? null : handler.getContentType();
        return type != null ? type : part.getContentType();
    }

    /** "attachment", "inline" or null, lowercased; tolerant of malformed parameters. */
    private static String disposition(Part part) throws MessagingException {
        String header;
        try {
            header = part.getDisposition(); // over IMAP from BODYSTRUCTURE, without another fetch
        } catch (ParseException e) {
            header = header(part, "Content-Disposition");
        }
        if (header == null) {
            return null;
        }
        int semicolon = header.indexOf(';');
        String disposition = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return disposition.isEmpty() ? null : disposition;
    }

    /**
     * The decoded file name without any directory part. {@code getFileName()} decodes RFC 2231
     * parameters but not RFC 2047 encoded words, which Outlook and others still send.
     */
    private static String fileName(Part part) throws MessagingException {
        String name;
        try {
            name = part.getFileName();
        } catch (ParseException e) {
            return null;
        }
        if (name == null) {
            return null;
        }
        name = decodeText(name);
        name = name.substring(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1).trim();
        return name.isEmpty() ? null : name;
    }

    private static String charsetName(Part part) throws MessagingException {
        String header = contentType(part);
        if (header == null) {
            return null;
        }
        try {
            String charset = new ContentType(header).getParameter("charset");
            return charset == null || charset.isBlank() ? null : charset.trim();
        } catch (ParseException e) {
            return null;
        }
    }

    /**
     * The text in the part's charset. Mail labelled ISO-8859-1 is read as windows-1252, its
     * superset, as browsers do (it often has € or “ ”); unlabelled, US-ASCII or unknown charsets
     * as UTF-8 when the bytes are valid UTF-8, else as windows-1252.
     */
    private static String decode(Bytes bytes, Part part) throws MessagingException {
        Charset charset = null;
        String name = charsetName(part);
        if (name != null) {
            try {
                charset = Charset.forName(MimeUtility.javaCharset(name));
            } catch (IllegalArgumentException e) { // illegal or unsupported charset name
                charset = null;
            }
        }
        if (charset == null || charset.equals(StandardCharsets.US_ASCII)) {
            String utf8 = decode(bytes, StandardCharsets.UTF_8, CodingErrorAction.REPORT);
            if (utf8 != null) {
                return utf8;
            }
            charset = StandardCharsets.ISO_8859_1;
        }
        if (charset.equals(StandardCharsets.ISO_8859_1) && Charset.isSupported("windows-1252")) {
            charset = Charset.forName("windows-1252");
        }
        return decode(bytes, charset, CodingErrorAction.REPLACE);
    }

    /**
     * The bytes decoded; null when malformed and {@code onError} is REPORT. Bytes cut short may end
     * inside a character: that character is left out, not taken for malformed input.
     */
    private static String decode(Bytes bytes, Charset charset, CodingErrorAction onError) {
        CharsetDecoder decoder = charset.newDecoder().onMalformedInput(onError).onUnmappableCharacter(onError);
        CharBuffer out = CharBuffer.allocate((int) (bytes.bytes().length * (double) decoder.maxCharsPerByte()) + 16);
        CoderResult result = decoder.decode(ByteBuffer.wrap(bytes.bytes()), out, !bytes.cut());
        if (!result.isError() && !bytes.cut()) {
            result = decoder.flush(out);
        }
        return result.isError() ? null : out.flip().toString();
    }

    private static String header(Part part, String name) throws MessagingException {
        String[] values = part.getHeader(name);
        if (values == null || values.length == 0 || values[0] == null || values[0].isBlank()) {
            return null;
        }
        return MimeUtility.unfold(values[0]).trim();
    }

    // ---------------------------------------------------------------------------------- errors

    /**
     * Trouble with the mail store (folder closed, connection lost, message expunged) is ours and
     * worth a retry; anything else means the mail itself cannot be parsed.
     */
    private static RuntimeException translate(Exception e) {
        if (isStoreTrouble(e)) {
            return new IllegalStateException("Could not read the mail from the mail store: " + e.getMessage(), e);
        }
        return IntakeRejection.malformed("The mail cannot be parsed: " + e.getMessage());
    }

    private static boolean isStoreTrouble(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String name = t.getClass().getName();
            if (t instanceof FolderClosedException || t instanceof StoreClosedException
                    || t instanceof MessageRemovedException || t instanceof SocketException
                    || t instanceof SocketTimeoutException
                    || name.endsWith(".FolderClosedIOException") || name.endsWith(".MessageRemovedIOException")
                    || name.contains(".mail.iap.")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isDecodingError(IOException e) {
        return e.getClass().getSimpleName().equals("DecodingException");
    }
}
