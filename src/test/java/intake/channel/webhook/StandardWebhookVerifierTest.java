package intake.channel.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.standardwebhooks.Webhook;
import intake.ingress.IntakeRejection;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class StandardWebhookVerifierTest {

    // The Standard Webhooks test vector, from the reference Java library's own test
    // (github.com/standard-webhooks/standard-webhooks, libraries/java/src/test/java/com/standardwebhooks/
    // WebhookTest.java, verifyWebhookSignWorks); Svix's manual-verification docs publish the same one.
    private static final String SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final String SPEC_TIMESTAMP = "1614265330";
    private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
    private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    private static final Instant NOW = Instant.ofEpochSecond(1614265330);
    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    private static final String ORDER_BODY = "{\"type\":\"order.created\",\"timestamp\":\"2024-05-01T10:00:00Z\","
            + "\"data\":{\"id\":\"ord_123\",\"customer\":{\"email\":\"zoë@example.com\"},\"note\":\"Größe M, bitte 🙏\"}}";

    private final StandardWebhookVerifier verifier = verifier(Map.of("shop", List.of(SPEC_SECRET)), NOW);

    private static StandardWebhookVerifier verifier(Map<String, List<String>> secrets, Instant now) {
        return new StandardWebhookVerifier(secrets, TOLERANCE, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static String newSecret() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return "whsec_" + Base64.getEncoder().encodeToString(key);
    }

    private static String librarySignature(String secret, String id, long timestamp, String payload) throws Exception {
        return new Webhook(secret).sign(id, timestamp, payload);
    }

    private static void assertRejected(ThrowingCallable call, int status, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(IntakeRejection.class, rejection -> {
            assertThat(rejection.status()).isEqualTo(status);
            assertThat(rejection.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void acceptsThePublishedTestVector() {
        assertThatCode(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY))
                .doesNotThrowAnyException();
    }

    @Test
    void theReferenceLibraryProducesThePublishedVectorToo() throws Exception {
        assertThat(librarySignature(SPEC_SECRET, SPEC_ID, 1614265330L, new String(SPEC_BODY, StandardCharsets.UTF_8)))
                .isEqualTo(SPEC_SIGNATURE);
    }

    @Test
    void acceptsSignaturesMadeByTheReferenceLibrary() throws Exception {
        for (int i = 0; i < 20; i++) {
            String secret = newSecret();
            String id = "msg_" + i + "_" + Long.toHexString(new SecureRandom().nextLong());
            long timestamp = NOW.getEpochSecond() - 290 + i * 29;
            String payload = ORDER_BODY.replace("ord_123", "ord_" + i);
            String signature = librarySignature(secret, id, timestamp, payload);

            assertThatCode(() -> verifier(Map.of("shop", List.of(secret)), NOW)
                    .verify("shop", id, Long.toString(timestamp), signature, payload.getBytes(StandardCharsets.UTF_8)))
                    .as("signature %s", signature)
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void acceptsASignatureMadeWithAnyOfARotatingSourcesSecrets() throws Exception {
        String oldSecret = newSecret();
        String newSecret = newSecret();
        StandardWebhookVerifier rotating = verifier(Map.of("shop", List.of(oldSecret, newSecret)), NOW);
        String timestamp = Long.toString(NOW.getEpochSecond());
        byte[] body = ORDER_BODY.getBytes(StandardCharsets.UTF_8);

        for (String secret : List.of(oldSecret, newSecret)) {
            String signature = librarySignature(secret, "msg_1", NOW.getEpochSecond(), ORDER_BODY);
            assertThatCode(() -> rotating.verify("shop", "msg_1", timestamp, signature, body)).doesNotThrowAnyException();
        }
        String unknown = librarySignature(newSecret(), "msg_1", NOW.getEpochSecond(), ORDER_BODY);
        assertRejected(() -> rotating.verify("shop", "msg_1", timestamp, unknown, body),
                401, "No signature in webhook-signature matches any secret of source 'shop'");
    }

    @Test
    void keepsEachSourcesSecretsApart() throws Exception {
        String otherSecret = newSecret();
        StandardWebhookVerifier two = verifier(Map.of("shop", List.of(SPEC_SECRET), "billing", List.of(otherSecret)), NOW);

        assertRejected(() -> two.verify("billing", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY),
                401, "No signature in webhook-signature matches any secret of source 'billing'");
        assertThat(two.knows("shop")).isTrue();
        assertThat(two.knows("billing")).isTrue();
        assertThat(two.knows("crm")).isFalse();
        assertThat(two.knows(null)).isFalse();
    }

    @Test
    void acceptsWhenOnlyTheSecondOfSeveralSignaturesMatches() {
        String wrong = "v1," + Base64.getEncoder().encodeToString(new byte[32]);

        assertThatCode(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, wrong + " " + SPEC_SIGNATURE, SPEC_BODY))
                .doesNotThrowAnyException();
    }

    @Test
    void skipsOtherSchemesAndUnreadableEntries() {
        // v1a is the asymmetric (ed25519) scheme; the same bytes under another prefix must not count.
        String header = "v1a," + SPEC_SIGNATURE.substring(3) + " v2," + SPEC_SIGNATURE.substring(3)
                + " v1,not*base64 garbage   " + SPEC_SIGNATURE;

        assertThatCode(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, header, SPEC_BODY))
                .doesNotThrowAnyException();
        assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP,
                        "v1a," + SPEC_SIGNATURE.substring(3), SPEC_BODY),
                401, "webhook-signature has no v1 signature in base64; expected space-separated entries like v1,<base64>");
    }

    @Test
    void refusesABodyWithOneByteChanged() {
        for (int i = 0; i < SPEC_BODY.length; i++) {
            byte[] tampered = Arrays.copyOf(SPEC_BODY, SPEC_BODY.length);
            tampered[i] ^= 0x01;
            assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, tampered),
                    401, "No signature in webhook-signature matches any secret of source 'shop'");
        }
        assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE,
                        Arrays.copyOf(SPEC_BODY, SPEC_BODY.length + 1)),
                401, "No signature in webhook-signature matches any secret of source 'shop'");
    }

    @Test
    void refusesAChangedIdOrTimestamp() {
        assertRejected(() -> verifier.verify("shop", "msg_other", SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY),
                401, "No signature in webhook-signature matches any secret of source 'shop'");
        assertRejected(() -> verifier.verify("shop", SPEC_ID, "1614265331", SPEC_SIGNATURE, SPEC_BODY),
                401, "No signature in webhook-signature matches any secret of source 'shop'");
    }

    @Test
    void signsTheRawBodyBytes() throws Exception {
        byte[] body = ORDER_BODY.getBytes(StandardCharsets.UTF_8);
        String signature = librarySignature(SPEC_SECRET, "msg_utf8", NOW.getEpochSecond(), ORDER_BODY);

        assertThatCode(() -> verifier.verify("shop", "msg_utf8", SPEC_TIMESTAMP, signature, body))
                .doesNotThrowAnyException();
        byte[] reEncoded = ORDER_BODY.getBytes(StandardCharsets.ISO_8859_1);
        assertRejected(() -> verifier.verify("shop", "msg_utf8", SPEC_TIMESTAMP, signature, reEncoded),
                401, "No signature in webhook-signature matches any secret of source 'shop'");
    }

    @Test
    void refusesAnUnknownSource() {
        assertRejected(() -> verifier.verify("crm", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY),
                404, "No webhook source 'crm' is configured");
        assertRejected(() -> verifier.verify(null, SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY),
                404, "No webhook source is named in the request");
    }

    @Test
    void refusesAMissingHeader() {
        assertRejected(() -> verifier.verify("shop", null, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY),
                401, "Missing header webhook-id");
        assertRejected(() -> verifier.verify("shop", SPEC_ID, null, SPEC_SIGNATURE, SPEC_BODY),
                401, "Missing header webhook-timestamp");
        assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, null, SPEC_BODY),
                401, "Missing header webhook-signature");
        assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, "  ", SPEC_BODY),
                401, "Missing header webhook-signature");
    }

    @Test
    void refusesATimestampThatIsNotWholeSeconds() {
        for (String timestamp : List.of("abc", "1614265330.5", "-1614265330", "2021-02-25T15:02:10Z", "99999999999999999999")) {
            assertRejected(() -> verifier.verify("shop", SPEC_ID, timestamp, SPEC_SIGNATURE, SPEC_BODY),
                    401, "webhook-timestamp is not a Unix time in whole seconds");
        }
    }

    @Test
    void acceptsTimestampsUpToTheToleranceEitherWay() {
        for (long offset : new long[] {-300, 300}) {
            StandardWebhookVerifier atEdge = verifier(Map.of("shop", List.of(SPEC_SECRET)), NOW.plusSeconds(offset));
            assertThatCode(() -> atEdge.verify("shop", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY))
                    .doesNotThrowAnyException();
        }
    }

    @Test
    void refusesAStaleOrFutureTimestamp() {
        StandardWebhookVerifier later = verifier(Map.of("shop", List.of(SPEC_SECRET)), NOW.plusSeconds(301));
        assertRejected(() -> later.verify("shop", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY),
                401, "webhook-timestamp 1614265330 is outside the tolerance of 300 seconds (it is 301 seconds in the past)");

        StandardWebhookVerifier earlier = verifier(Map.of("shop", List.of(SPEC_SECRET)), NOW.minusSeconds(3600));
        assertRejected(() -> earlier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, SPEC_SIGNATURE, SPEC_BODY),
                401, "webhook-timestamp 1614265330 is outside the tolerance of 300 seconds (it is 3600 seconds in the future)");
    }

    @Test
    void refusesAWrongOrMalformedSignature() {
        assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                        SPEC_BODY),
                401, "webhook-signature has no v1 signature in base64; expected space-separated entries like v1,<base64>");
        assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, "v1,%%%", SPEC_BODY),
                401, "webhook-signature has no v1 signature in base64; expected space-separated entries like v1,<base64>");
        String truncated = SPEC_SIGNATURE.substring(0, SPEC_SIGNATURE.length() - 4);
        assertRejected(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, truncated, SPEC_BODY),
                401, "No signature in webhook-signature matches any secret of source 'shop'");
    }

    @Test
    void refusalsNeverShowTheSecretOrTheExpectedSignature() {
        String tampered = SPEC_SIGNATURE.replace('g', 'h');

        assertThatThrownBy(() -> verifier.verify("shop", SPEC_ID, SPEC_TIMESTAMP, tampered, SPEC_BODY))
                .isInstanceOf(IntakeRejection.class)
                .message()
                .doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
                .doesNotContain("g0hM9SsE");
    }

    @Test
    void refusesUnusableSecretsAtConstructionNamingTheSourceNotTheSecret() {
        assertThatThrownBy(() -> verifier(Map.of("shop", List.of("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Secret 1 of webhook source 'shop' does not start with whsec_");
        assertThatThrownBy(() -> verifier(Map.of("shop", List.of(SPEC_SECRET, "whsec_not*base64!")), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Secret 2 of webhook source 'shop' is not whsec_ followed by base64")
                .message().doesNotContain("not*base64!");
        assertThatThrownBy(() -> verifier(Map.of("shop", List.of("whsec_")), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Secret 1 of webhook source 'shop' has an empty key after whsec_");
        assertThatThrownBy(() -> verifier(Map.of("shop", List.of()), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Webhook source 'shop' has no secret");
        assertThatThrownBy(() -> verifier(Map.of("shop", Arrays.asList(SPEC_SECRET, null)), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Secret 2 of webhook source 'shop' does not start with whsec_");
        assertThatThrownBy(() -> new StandardWebhookVerifier(Map.of(), Duration.ofSeconds(-1), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
