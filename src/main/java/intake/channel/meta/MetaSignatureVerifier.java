package intake.channel.meta;

import intake.ingress.IntakeRejection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Header;

/** Checks Meta's {@code X-Hub-Signature-256}: {@code sha256=} + hex HMAC-SHA256 of the raw body with the app secret. */
public final class MetaSignatureVerifier {

    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";
    private static final Pattern SIGNATURE = Pattern.compile("sha256=[0-9a-fA-F]{64}");

    private final SecretKeySpec key;

    /** @throws IllegalArgumentException when the app secret is blank */
    public MetaSignatureVerifier(String appSecret) {
        if (appSecret == null || appSecret.isBlank()) {
            throw new IllegalArgumentException("The Meta app secret is missing");
        }
        this.key = new SecretKeySpec(appSecret.getBytes(StandardCharsets.UTF_8), HMAC_SHA256);
    }

    /**
     * Returns normally when the signature matches the body.
     *
     * @throws IntakeRejection 401 when the signature is missing, malformed or does not match
     */
    public void verify(@Header(HEADER) String signature, @Body byte[] body) {
        if (signature == null || signature.isBlank()) {
            throw IntakeRejection.unauthenticated("Missing header " + HEADER);
        }
        String given = signature.trim();
        if (!SIGNATURE.matcher(given).matches()) {
            throw IntakeRejection.unauthenticated(HEADER + " is not " + PREFIX + " followed by 64 hexadecimal digits");
        }
        // Compared as bytes so upper- and lowercase hex are the same signature.
        byte[] claimed = HexFormat.of().parseHex(given, PREFIX.length(), given.length());
        byte[] expected = hmac(body == null ? new byte[0] : body);
        if (!MessageDigest.isEqual(expected, claimed)) {
            throw IntakeRejection.unauthenticated(HEADER + " does not match the body signed with the configured app secret");
        }
    }

    // A new Mac per call: Mac is not thread-safe and this bean serves concurrent requests.
    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot compute " + HMAC_SHA256 + " with the Meta app secret", e);
        }
    }
}
