package intake.channel.twilio;

import static intake.testing.Records.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.ProviderExamples;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class TwilioChannelTest extends IntakeIntegrationTest {

    /** application-test.yaml: Intake is reached by Twilio at this public URL through a proxy. */
    private static final String PUBLIC_URL = "https://intake.example.com/whatsapp/twilio";
    private static final String AUTH_TOKEN = "test-twilio-auth-token";

    @Test
    void signedWhatsAppMessageAnswersTwimlAndLandsOnKafka() {
        String messageSid = "SM" + java.util.UUID.randomUUID().toString().replace("-", "");
        Map<String, String> params = ProviderExamples.twilioWhatsApp(messageSid);

        HttpResponse<String> response = Http.post(url("/whatsapp/twilio"), "application/x-www-form-urlencoded",
                Http.form(params), "X-Twilio-Signature", Signatures.twilio(AUTH_TOKEN, PUBLIC_URL, params));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/xml"));
        assertThat(response.body()).contains("<Response></Response>");

        String ticketId = Tickets.ticketId("whatsapp", "twilio", messageSid).toString();
        ConsumerRecord<String, byte[]> record = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0);
        assertThat(record.key()).isEqualTo("+14155550100");
        TicketEvent ticket = ticket(record);
        assertThat(ticket.getBody()).isEqualTo("Hello, my parcel is late 📦");
        assertThat(ticket.getCustomerName()).isEqualTo("Katherine");
        assertThat(ticket.getSourceMessageId()).isEqualTo(messageSid);
        assertThat(ticket.getAttachments()).singleElement().satisfies(a -> {
            assertThat(a.getContentType()).isEqualTo("image/jpeg");
            assertThat(a.getReference()).endsWith("/Media/ME0");
        });
        assertThat(ticket.getDetails()).containsEntry("to", "whatsapp:+14155238886").containsEntry("waId", "14155550100");

        kafka.awaitRecords("fte.channels.whatsapp.inbound", Records.withHeader("intake_http_x-twilio-signature",
                Signatures.twilio(AUTH_TOKEN, PUBLIC_URL, params)), 1);
    }

    @Test
    void theSecondaryAuthTokenIsAcceptedWhileItIsPromotedAndNoOtherIs() {
        Map<String, String> params = Map.of("MessageSid", "SM" + java.util.UUID.randomUUID().toString().replace("-", ""),
                "From", "whatsapp:+14155550100", "Body", "Still waiting for my parcel");

        HttpResponse<String> secondary = Http.post(url("/whatsapp/twilio"), "application/x-www-form-urlencoded",
                Http.form(params), "X-Twilio-Signature", Signatures.twilio("test-twilio-secondary-token", PUBLIC_URL, params));
        HttpResponse<String> other = Http.post(url("/whatsapp/twilio"), "application/x-www-form-urlencoded",
                Http.form(params), "X-Twilio-Signature", Signatures.twilio("some-other-token", PUBLIC_URL, params));

        assertThat(secondary.statusCode()).isEqualTo(200);
        assertThat(other.statusCode()).isEqualTo(401);
    }

    @Test
    void signatureOverTheWrongUrlIs401AndPublishesNothing() {
        Map<String, String> params = Map.of("MessageSid", "SMbad", "From", "whatsapp:+14155550100", "Body", "hi");
        long before = kafka.endOffsetSum(List.of("fte.tickets.incoming", "fte.channels.whatsapp.inbound"));

        HttpResponse<String> response = Http.post(url("/whatsapp/twilio"), "application/x-www-form-urlencoded",
                Http.form(params), "X-Twilio-Signature", Signatures.twilio(AUTH_TOKEN, url("/whatsapp/twilio"), params));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"error\":\"invalid_signature\"");
        assertThat(kafka.endOffsetSum(List.of("fte.tickets.incoming", "fte.channels.whatsapp.inbound"))).isEqualTo(before);
    }

    @Test
    void formBodyThatIsNotNameValuePairsIs400NotA500() {
        HttpResponse<String> response = Http.post(url("/whatsapp/twilio"), "application/x-www-form-urlencoded",
                "MessageSid&&From", "X-Twilio-Signature", "abc=");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"error\":\"malformed_body\"", "\"correlationId\"");
    }
}
