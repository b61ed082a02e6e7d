package intake.channel.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import intake.ingress.IntakeRejection;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class MetaSignatureVerifierTest {

    // Meta publishes no test vector for X-Hub-Signature-256, but GitHub's webhooks use the identical
    // scheme and publish one: "Testing the webhook payload validation" in
    // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    // (github.com/github/docs, content/webhooks/using-webhooks/validating-webhook-deliveries.md).
    private static final String GITHUB_SECRET = "It's a Secret to Everybody";
    private static final byte[] GITHUB_PAYLOAD = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    private static final String GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    private static final String APP_SECRET = "6f1d0c2b9e8a47d3b5c4a39281706f5e";

    // The shape of a WhatsApp Cloud API "messages" notification, as Meta sends it (compact JSON).
    private static final String WHATSAPP_BODY = "{\"object\":\"whatsapp_business_account\",\"entry\":[{\"id\":\"102290129340398\","
            + "\"changes\":[{\"value\":{\"messaging_product\":\"whatsapp\",\"metadata\":{\"display_phone_number\":\"15550783881\","
            + "\"phone_number_id\":\"106540352242922\"},\"contacts\":[{\"profile\":{\"name\":\"Sheena Nelson\"},"
            + "\"wa_id\":\"16505551234\"}],\"messages\":[{\"from\":\"16505551234\","
            + "\"id\":\"wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=\",\"timestamp\":\"1749416383\","
            + "\"text\":{\"body\":\"Does it come in another color?\"},\"type\":\"text\"}]},\"field\":\"messages\"}]}]}";

    private final MetaSignatureVerifier verifier = new MetaSignatureVerifier(APP_SECRET);

    /** The signature computed here with javax.crypto, independently of the class under test. */
    private static String sign(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static void assertRejected(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOfSatisfying(IntakeRejection.class, rejection -> {
            assertThat(rejection.status()).isEqualTo(401);
            assertThat(rejection.error()).isEqualTo("invalid_signature");
            assertThat(rejection.getMessage()).isEqualTo(message);
        });
    }

    @Test
    void acceptsGitHubsPublishedVectorOfTheSameScheme() {
        assertThatCode(() -> new MetaSignatureVerifier(GITHUB_SECRET).verify(GITHUB_SIGNATURE, GITHUB_PAYLOAD))
                .doesNotThrowAnyException();
    }

    @Test
    void acceptsAWhatsAppNotificationSignedWithTheAppSecret() throws Exception {
        byte[] body = WHATSAPP_BODY.getBytes(StandardCharsets.UTF_8);
        String signature = sign(APP_SECRET, body);

        assertThatCode(() -> verifier.verify(signature, body)).doesNotThrowAnyException();
    }

    @Test
    void acceptsUppercaseHex() throws Exception {
        byte[] body = WHATSAPP_BODY.getBytes(StandardCharsets.UTF_8);
        String signature = sign(APP_SECRET, body);
        String upper = "sha256=" + signature.substring(7).toUpperCase(Locale.ROOT);

        assertThatCode(() -> verifier.verify(upper, body)).doesNotThrowAnyException();
        assertThatCode(() -> new MetaSignatureVerifier(GITHUB_SECRET)
                .verify(GITHUB_SIGNATURE.toUpperCase(Locale.ROOT).replace("SHA256=", "sha256="), GITHUB_PAYLOAD))
                .doesNotThrowAnyException();
    }

    @Test
    void signsTheRawBytesOfABodyWithNonAsciiText() throws Exception {
        // Meta escapes non-ASCII as \\uXXXX in its JSON; the signature covers the bytes as sent either way.
        String text = WHATSAPP_BODY.replace("Does it come in another color?", "Größe M? 😀 ¿Tienen más colores?");
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        String signature = sign(APP_SECRET, utf8);

        assertThatCode(() -> verifier.verify(signature, utf8)).doesNotThrowAnyException();
        // The same text, decoded and re-encoded in another charset, is another body.
        byte[] reEncoded = text.getBytes(StandardCharsets.UTF_16LE);
        assertRejected(() -> verifier.verify(signature, reEncoded),
                "X-Hub-Signature-256 does not match the body signed with the configured app secret");
        String escaped = WHATSAPP_BODY.replace("Does it come in another color?", "Gr\\u00f6\\u00dfe M?");
        byte[] escapedBytes = escaped.getBytes(StandardCharsets.US_ASCII);
        assertThatCode(() -> verifier.verify(sign(APP_SECRET, escapedBytes), escapedBytes)).doesNotThrowAnyException();
    }

    @Test
    void acceptsAnEmptyBodySignedAsSuch() throws Exception {
        String signature = sign(APP_SECRET, new byte[0]);

        assertThatCode(() -> verifier.verify(signature, new byte[0])).doesNotThrowAnyException();
        assertThatCode(() -> verifier.verify(signature, null)).doesNotThrowAnyException();
    }

    @Test
    void refusesAMissingSignature() {
        for (String missing : new String[] {null, "", "   "}) {
            assertRejected(() -> verifier.verify(missing, GITHUB_PAYLOAD), "Missing header X-Hub-Signature-256");
        }
    }

    @Test
    void refusesASignatureOfAnotherShape() {
        String shape = "X-Hub-Signature-256 is not sha256= followed by 64 hexadecimal digits";
        String hex = GITHUB_SIGNATURE.substring(7);
        for (String malformed : new String[] {
                hex,                                        // no prefix
                "sha1=" + hex,                              // the legacy X-Hub-Signature scheme
                "SHA256=" + hex,                            // prefix in capitals
                "sha256=" + hex.substring(1),               // 63 digits
                "sha256=" + hex + "0",                      // 65 digits
                "sha256=" + hex.substring(1) + "g",         // not hex
                "sha256= " + hex,
                "sha256=" + hex + ",sha256=" + hex}) {
            assertRejected(() -> new MetaSignatureVerifier(GITHUB_SECRET).verify(malformed, GITHUB_PAYLOAD), shape);
        }
    }

    @Test
    void refusesAMismatch() throws Exception {
        String mismatch = "X-Hub-Signature-256 does not match the body signed with the configured app secret";
        byte[] body = WHATSAPP_BODY.getBytes(StandardCharsets.UTF_8);
        String signature = sign(APP_SECRET, body);

        for (int i = 0; i < body.length; i += 17) {
            byte[] tampered = Arrays.copyOf(body, body.length);
            tampered[i] ^= 0x20;
            assertRejected(() -> verifier.verify(signature, tampered), mismatch);
        }
        assertRejected(() -> verifier.verify(sign("another app's secret", body), body), mismatch);
        assertRejected(() -> verifier.verify(GITHUB_SIGNATURE, GITHUB_PAYLOAD), mismatch);
        String lastDigitChanged = signature.substring(0, signature.length() - 1)
                + (signature.endsWith("0") ? "1" : "0");
        assertRejected(() -> verifier.verify(lastDigitChanged, body), mismatch);
    }

    @Test
    void refusalsNeverShowTheSecretOrTheExpectedSignature() throws Exception {
        byte[] body = WHATSAPP_BODY.getBytes(StandardCharsets.UTF_8);
        String expected = sign(APP_SECRET, body);

        assertThatThrownBy(() -> verifier.verify(GITHUB_SIGNATURE, body))
                .message()
                .doesNotContain(APP_SECRET)
                .doesNotContain(expected.substring(7, 20));
    }

    @Test
    void refusesABlankAppSecretAtConstruction() {
        for (String secret : new String[] {null, "", "  "}) {
            assertThatThrownBy(() -> new MetaSignatureVerifier(secret))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("The Meta app secret is missing");
        }
    }
}
