package intake.channel.meta;

import intake.ingress.IntakeRejection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Header;

/** Checks Meta's {@code X-Hub-Signature-256}: {@code sha256=} + hex HMAC-SHA256 of the raw body with the app secret. */
public final class MetaSignatureVerifier {

    private static final String HMAC_SHA256 = "HmacSHA256";
    public static final String HEADER = "X-Hub-Signature-256";
    private static final String PREFIX = "sha256=";
    private static final Pattern SIGNATURE = Pattern.compile("sha256=[0-9a-fA-F]{64}");

    private final List<SecretKeySpec> keys;

    /** One app secret; see {@link #MetaSignatureVerifier(String, String)}. */
    public MetaSignatureVerifier(String appSecret) {
        this(appSecret, null);
    }

    /**
     * @param appSecret         the app secret
     * @param previousAppSecret the one before a reset, accepted too while the reset takes effect; null or blank for none
     * @throws IllegalArgumentException when the app secret is blank
     */
    public MetaSignatureVerifier(String appSecret, String previousAppSecret) {
        if (appSecret == null || appSecret.isBlank()) {
            throw new IllegalArgumentException("The Meta app secret is missing");
        }
        this.keys = Stream.of(appSecret, previousAppSecret).filter(s -> s != null && !s.isBlank())
                .map(s -> new SecretKeySpec(s.getBytes(StandardCharsets.UTF_8), HMAC_SHA256)).toList();
    }

    /**
     * What can be refused before the body is read: a request without the signature header.
     *
     * @throws IntakeRejection 401 when the header is missing
     */
    public void requireSignatureHeader(@Header(HEADER) String signature) {
        if (signature == null || signature.isBlank()) {
            throw IntakeRejection.unauthenticated("Missing header " + HEADER);
        }
    }

    /**
     * Returns normally when the signature matches the body.
     *
     * @throws IntakeRejection 401 when the signature is missing, malformed or does not match
     */
    public void verify(@Header(HEADER) String signature, @Body byte[] body) {
        requireSignatureHeader(signature);
        String given = signature.trim();
        if (!SIGNATURE.matcher(given).matches()) {
            throw IntakeRejection.unauthenticated(HEADER + " is not " + PREFIX + " followed by 64 hexadecimal digits");
        }
        // Compared as bytes so upper- and lowercase hex are the same signature.
        byte[] claimed = HexFormat.of().parseHex(given, PREFIX.length(), given.length());
        byte[] signed = body == null ? new byte[0] : body;
        for (SecretKeySpec key : keys) {
            if (MessageDigest.isEqual(hmac(key, signed), claimed)) {
                return;
            }
        }
        throw IntakeRejection.unauthenticated(HEADER + " does not match the body signed with the configured app secret");
    }

    // A new Mac per call: Mac is not thread-safe and this bean serves concurrent requests.
    private static byte[] hmac(SecretKeySpec key, byte[] body) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(key);
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot compute " + HMAC_SHA256 + " with the Meta app secret", e);
        }
    }
}
