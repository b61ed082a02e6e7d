package intake.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import intake.testing.IntakeIntegrationTest;
import intake.testing.RawHttp;
import intake.testing.RawHttp.Answer;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every POST endpoint holds its body limit while reading, whatever the content type: a declared
 * length over the limit, a missing signature header or an unknown webhook source is answered
 * with the body withheld (so it was never read), and a chunked body of 400 MiB is cut near the
 * limit (the server stops taking bytes long before the end). Nothing is published.
 */
class BodyLimitsTest extends IntakeIntegrationTest {

    private static final long LIMIT = 262_144;
    private static final long HOSTILE_BODY = 400L * 1024 * 1024;
    /**
     * What the server may have taken of a body it refused: the limit + 1, what Tomcat swallows
     * before closing the connection (max-swallow-size, 2 MiB) and the loopback socket buffers
     * between the two ends. Far below the 400 MiB sent, which an unbounded read would take whole.
     */
    private static final long MOST_BYTES_LET_IN = 64L * 1024 * 1024;
    private static final List<String> TOPICS = List.of("fte.tickets.incoming", "fte.channels.webform.inbound",
            "fte.channels.webhook.inbound", "fte.channels.whatsapp.inbound");

    @Test
    void aDeclaredLengthOverTheLimitIs413BeforeAByteIsRead() {
        long before = kafka.endOffsetSum(TOPICS);
        for (String[] endpoint : List.of(
                new String[] {"/forms/support", "application/json"},
                new String[] {"/forms/support", "application/x-www-form-urlencoded"},
                new String[] {"/forms/support", "text/plain"},
                new String[] {"/webhooks/shop", "application/json"},
                new String[] {"/whatsapp/meta", "application/json"},
                new String[] {"/whatsapp/twilio", "application/x-www-form-urlencoded"})) {
            Answer answer = RawHttp.withheldBody(port, "POST", endpoint[0], LIMIT + 1, "Content-Type", endpoint[1],
                    "webhook-id", "msg_1", "webhook-timestamp", Long.toString(Instant.now().getEpochSecond()),
                    "webhook-signature", "v1,AAAA", "X-Hub-Signature-256", "sha256=" + "0".repeat(64), "X-Twilio-Signature", "AAAA");

            assertThat(answer.status()).as("%s %s", endpoint[0], endpoint[1]).isEqualTo(413);
            assertJsonError(answer, "payload_too_large");
        }
        assertThat(kafka.endOffsetSum(TOPICS)).isEqualTo(before);
    }

    @Test
    void anUnknownSourceOrAMissingSignatureIsRefusedBeforeTheBodyIsRead() {
        long before = kafka.endOffsetSum(TOPICS);
        double refusedBefore = metric("intake_requests_rejected_total", "route=\"webhooks-ingress\",status=\"404\"");
        assertRefusedUnread(RawHttp.withheldBody(port, "POST", "/webhooks/nobody", 100, "Content-Type", "application/json",
                "webhook-id", "msg_1", "webhook-timestamp", Long.toString(Instant.now().getEpochSecond()), "webhook-signature", "v1,AAAA"),
                404, "not_found");
        assertRefusedUnread(RawHttp.withheldBody(port, "POST", "/webhooks/shop", 100, "Content-Type", "application/json"),
                401, "invalid_signature");
        assertRefusedUnread(RawHttp.withheldBody(port, "POST", "/webhooks/shop", 100, "Content-Type", "application/json",
                "webhook-id", "msg_1", "webhook-timestamp", "1", "webhook-signature", "v1,AAAA"),
                401, "invalid_signature");
        assertRefusedUnread(RawHttp.withheldBody(port, "POST", "/whatsapp/meta", 100, "Content-Type", "application/json"),
                401, "invalid_signature");
        assertRefusedUnread(RawHttp.withheldBody(port, "POST", "/whatsapp/twilio", 100,
                "Content-Type", "application/x-www-form-urlencoded"), 401, "invalid_signature");
        // a form sent where no form is taken: Camel's binding would read it whole to make headers of it
        assertRefusedUnread(RawHttp.withheldBody(port, "POST", "/webhooks/shop", 100,
                "Content-Type", "application/x-www-form-urlencoded"), 415, "unsupported_media_type");
        assertThat(kafka.endOffsetSum(TOPICS)).isEqualTo(before);
        // counted as the route counts its own refusals
        assertThat(metric("intake_requests_rejected_total", "route=\"webhooks-ingress\",status=\"404\"")).isEqualTo(refusedBefore + 1);
    }

    @Test
    void aChunkedBodyIsCutAtTheLimitWhateverTheContentType() {
        long before = kafka.endOffsetSum(TOPICS);
        for (String[] endpoint : List.of(
                new String[] {"/forms/support", "application/json"},
                new String[] {"/forms/support", "application/x-www-form-urlencoded"},
                new String[] {"/webhooks/shop", "application/json"},
                new String[] {"/whatsapp/meta", "application/json"},
                new String[] {"/whatsapp/twilio", "application/x-www-form-urlencoded"})) {
            Answer answer = RawHttp.chunkedBody(port, endpoint[0], HOSTILE_BODY, "Content-Type", endpoint[1],
                    "webhook-id", "msg_1", "webhook-timestamp", Long.toString(Instant.now().getEpochSecond()),
                    "webhook-signature", "v1,AAAA", "X-Hub-Signature-256", "sha256=" + "0".repeat(64), "X-Twilio-Signature", "AAAA");

            assertThat(answer.status()).as("%s %s", endpoint[0], endpoint[1]).isEqualTo(413);
            assertJsonError(answer, "payload_too_large");
            assertThat(answer.bodyBytesSent()).as("bytes of a %d-byte body the server let in, %s %s", HOSTILE_BODY, endpoint[0], endpoint[1])
                    .isGreaterThan(LIMIT).isLessThan(MOST_BYTES_LET_IN);
            System.out.printf("BodyLimitsTest: %s %s took %d of %d bytes before closing%n", endpoint[0], endpoint[1],
                    answer.bodyBytesSent(), HOSTILE_BODY);
        }
        assertThat(kafka.endOffsetSum(TOPICS)).isEqualTo(before);
    }

    private static void assertRefusedUnread(Answer answer, int status, String error) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertJsonError(answer, error);
    }

    private static void assertJsonError(Answer answer, String error) {
        assertThat(answer.headers().get("content-type")).startsWith("application/json");
        assertThat(answer.body()).contains("\"error\":\"" + error + "\"", "\"correlationId\"");
    }
}
