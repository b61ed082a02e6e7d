package intake.channel.email;

import intake.ingress.HttpIngress;
import intake.ingress.IntakeExchange;
import intake.ingress.RawPayload;
import intake.ticket.TicketEvent;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.mail.MailMessage;

/** Prepares one polled mail for direct:accept: its RFC 822 bytes for the audit topic and its ticket. */
public class EmailIntake {

    public static final String CHANNEL = "email";

    private final EmailTicketReader reader;
    private final String mailbox;
    private final Clock clock;

    public EmailIntake(EmailTicketReader reader, String mailbox, Clock clock) {
        this.reader = reader;
        this.mailbox = mailbox;
        this.clock = clock;
    }

    public List<TicketEvent> read(Exchange exchange) {
        jakarta.mail.Message mail = exchange.getIn(MailMessage.class).getOriginalMessage();
        String correlationId = HttpIngress.correlationId(null);
        // First: an oversized mail is refused before anything fetches its content.
        RawPayload raw = new RawPayload(reader.rawBytes(mail), Map.of(), clock.instant());
        exchange.setProperty(IntakeExchange.CHANNEL, CHANNEL);
        exchange.setProperty(IntakeExchange.CORRELATION_ID, correlationId);
        exchange.setProperty(IntakeExchange.RAW, raw);
        return List.of(reader.read(mail, mailbox, correlationId, raw.receivedAt()));
    }
}
