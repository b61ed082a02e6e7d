package intake.channel.meta;

import static intake.testing.Records.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetaChannelTest extends IntakeIntegrationTest {

    private static final String APP_SECRET = "test-meta-app-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void handshakeEchoesTheChallengeOnlyForTheRightToken() {
        HttpResponse<String> ok = Http.get(url("/whatsapp/meta?hub.mode=subscribe&hub.verify_token=test-meta-verify-token&hub.challenge=1158201444"));
        HttpResponse<String> wrong = Http.get(url("/whatsapp/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444"));

        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("1158201444");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("\"error\":\"forbidden\"");
    }

    @Test
    void everyMessageBecomesATicketAndStatusesDoNot() throws Exception {
        String textId = "wamid." + UUID.randomUUID();
        String imageId = "wamid." + UUID.randomUUID();
        String usernameOnlyId = "wamid." + UUID.randomUUID();
        String body = """
                {"object": "whatsapp_business_account",
                 "entry": [{"id": "102290129340398", "changes": [
                   {"field": "messages", "value": {
                      "messaging_product": "whatsapp",
                      "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                      "contacts": [{"profile": {"name": "Sheena Nelson"}, "wa_id": "16505551234"}],
                      "messages": [
                        {"from": "16505551234", "id": "%s", "timestamp": "1749416383", "type": "text",
                         "text": {"body": "Does it come in another color?"}},
                        {"from": "16505551234", "id": "%s", "timestamp": "1749416390", "type": "image",
                         "image": {"caption": "This one", "mime_type": "image/jpeg", "sha256": "abc", "id": "1003383421387256"}}
                      ]}},
                   {"field": "messages", "value": {
                      "messaging_product": "whatsapp",
                      "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                      "contacts": [{"profile": {"name": "Pat"}, "user_id": "US.13491208655302741918"}],
                      "messages": [{"from_user_id": "US.13491208655302741918", "id": "%s", "timestamp": "1749416400",
                                    "type": "text", "text": {"body": "Username-only user here"}}]}},
                   {"field": "messages", "value": {
                      "messaging_product": "whatsapp",
                      "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
                      "statuses": [{"id": "wamid.status", "status": "delivered", "timestamp": "1749416401", "recipient_id": "16505551234"}]}}
                 ]}]}""".formatted(textId, imageId, usernameOnlyId);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = Http.post(url("/whatsapp/meta"), "application/json", bytes,
                "X-Hub-Signature-256", Signatures.meta(APP_SECRET, bytes));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode reply = JSON.readTree(response.body());
        List<String> expected = List.of(textId, imageId, usernameOnlyId).stream()
                .map(id -> Tickets.ticketId("whatsapp", "meta", id).toString()).toList();
        assertThat(reply.get("ticketIds")).extracting(JsonNode::asText).containsExactlyElementsOf(expected);

        TicketEvent text = ticket(kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", expected.get(0)), 1).get(0));
        assertThat(text.getCustomerId()).isEqualTo("+16505551234");
        assertThat(text.getCustomerName()).isEqualTo("Sheena Nelson");
        assertThat(text.getBody()).isEqualTo("Does it come in another color?");
        assertThat(text.getDetails()).containsEntry("phoneNumberId", "106540352242922").containsEntry("messageType", "text");

        TicketEvent image = ticket(kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", expected.get(1)), 1).get(0));
        assertThat(image.getBody()).isEqualTo("This one");
        assertThat(image.getAttachments()).singleElement().satisfies(a -> {
            assertThat(a.getContentType()).isEqualTo("image/jpeg");
            assertThat(a.getReference()).isEqualTo("1003383421387256");
        });

        var usernameOnly = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", expected.get(2)), 1).get(0);
        assertThat(usernameOnly.key()).isEqualTo("US.13491208655302741918");
        assertThat(ticket(usernameOnly).getCustomerName()).isEqualTo("Pat");
    }

    @Test
    void statusOnlyNotificationIsAcknowledgedWithoutTickets() throws Exception {
        byte[] body = """
                {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
                 "messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},
                 "statuses":[{"id":"wamid.x","status":"read","timestamp":"1","recipient_id":"16505551234"}]}}]}]}"""
                .getBytes(StandardCharsets.UTF_8);
        long tickets = kafka.endOffsetSum(List.of("fte.tickets.incoming"));

        HttpResponse<String> response = Http.post(url("/whatsapp/meta"), "application/json", body,
                "X-Hub-Signature-256", Signatures.meta(APP_SECRET, body));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("ticketIds")).isEmpty();
        assertThat(kafka.endOffsetSum(List.of("fte.tickets.incoming"))).isEqualTo(tickets);
    }

    @Test
    void tamperedBodyIs401() {
        byte[] signed = "{\"object\":\"whatsapp_business_account\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8);
        byte[] sent = "{\"object\":\"whatsapp_business_account\",\"entry\":[{}]}".getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> response = Http.post(url("/whatsapp/meta"), "application/json", sent,
                "X-Hub-Signature-256", Signatures.meta(APP_SECRET, signed));

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void thePreviousAppSecretIsAcceptedWhileAResetTakesEffectAndNoOtherIs() throws Exception {
        byte[] body = """
                {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
                 "messaging_product":"whatsapp","metadata":{"phone_number_id":"1"},
                 "statuses":[{"id":"wamid.y","status":"read","timestamp":"1","recipient_id":"16505551234"}]}}]}]}"""
                .getBytes(StandardCharsets.UTF_8);

        HttpResponse<String> previous = Http.post(url("/whatsapp/meta"), "application/json", body,
                "X-Hub-Signature-256", Signatures.meta("test-meta-previous-secret", body));
        HttpResponse<String> other = Http.post(url("/whatsapp/meta"), "application/json", body,
                "X-Hub-Signature-256", Signatures.meta("some-other-secret", body));

        assertThat(previous.statusCode()).isEqualTo(200);
        assertThat(other.statusCode()).isEqualTo(401);
    }
}
