package intake.channel.webhook;

import intake.ingress.IntakeRejection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Header;

/** Checks a Standard Webhooks signature (https://www.standardwebhooks.com) against each source's secrets. */
public final class StandardWebhookVerifier {

    private static final String SECRET_PREFIX = "whsec_";
    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final Pattern SECONDS = Pattern.compile("[0-9]+");

    private final Map<String, List<SecretKeySpec>> keysBySource;
    private final long toleranceSeconds;
    private final Clock clock;

    /**
     * @param secretsBySource each source's secrets as {@code whsec_<base64 key>}; more than one lets a
     *                        secret rotate, and a signature made with any of them is accepted
     * @param tolerance       how far {@code webhook-timestamp} may be from now, either way
     * @throws IllegalArgumentException naming the source (never the secret) when a secret is unusable
     */
    public StandardWebhookVerifier(Map<String, List<String>> secretsBySource, Duration tolerance, Clock clock) {
        if (secretsBySource == null) {
            throw new IllegalArgumentException("The webhook secrets by source are missing");
        }
        if (tolerance == null || tolerance.isNegative()) {
            throw new IllegalArgumentException("The webhook timestamp tolerance must be zero or positive");
        }
        if (clock == null) {
            throw new IllegalArgumentException("The clock is missing");
        }
        Map<String, List<SecretKeySpec>> keys = new LinkedHashMap<>();
        secretsBySource.forEach((source, secrets) -> keys.put(source, keys(source, secrets)));
        this.keysBySource = Map.copyOf(keys);
        this.toleranceSeconds = tolerance.toSeconds();
        this.clock = clock;
    }

    // Fails at start-up rather than on the first request: a typo in a secret would otherwise
    // show up only as every delivery of that source being refused.
    private static List<SecretKeySpec> keys(String source, List<String> secrets) {
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("A webhook source has no name");
        }
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException("Webhook source '" + source + "' has no secret");
        }
        List<SecretKeySpec> keys = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i);
            String which = "Secret " + (i + 1) + " of webhook source '" + source + "'";
            if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
                throw new IllegalArgumentException(which + " does not start with " + SECRET_PREFIX);
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(which + " is not " + SECRET_PREFIX + " followed by base64");
            }
            if (key.length == 0) {
                throw new IllegalArgumentException(which + " has an empty key after " + SECRET_PREFIX);
            }
            keys.add(new SecretKeySpec(key, HMAC_SHA256));
        }
        return List.copyOf(keys);
    }

    /** Whether {@code source} has secrets configured. */
    public boolean knows(String source) {
        return source != null && keysBySource.containsKey(source);
    }

    /**
     * Returns normally when one {@code v1,<base64>} entry of {@code webhook-signature} is the HMAC-SHA256,
     * with one of the source's secrets, of {@code <webhook-id>.<webhook-timestamp>.} and the raw body,
     * and the timestamp is within the tolerance.
     *
     * @throws IntakeRejection 404 for an unknown source, 401 for a missing, stale or wrong signature
     */
    public void verify(@Header("source") String source,
                       @Header("webhook-id") String id,
                       @Header("webhook-timestamp") String timestamp,
                       @Header("webhook-signature") String signatures,
                       @Body byte[] body) {
        requireSignatureHeaders(source, id, timestamp, signatures);

        List<byte[]> candidates = v1Signatures(signatures);
        if (candidates.isEmpty()) {
            throw IntakeRejection.unauthenticated(
                    "webhook-signature has no v1 signature in base64; expected space-separated entries like v1,<base64>");
        }
        byte[] signed = signedContent(id, timestamp, body == null ? new byte[0] : body);
        // Mac is not thread-safe and this bean serves concurrent requests: one instance per call.
        Mac mac = newMac();
        for (SecretKeySpec key : keysBySource.get(source)) {
            byte[] expected = hmac(mac, key, signed);
            for (byte[] candidate : candidates) {
                if (MessageDigest.isEqual(expected, candidate)) {
                    return;
                }
            }
        }
        throw IntakeRejection.unauthenticated(
                "No signature in webhook-signature matches any secret of source '" + source + "'");
    }

    /**
     * What can be refused from the headers alone, before the body is read: an unknown source, a
     * missing signature header, a stale timestamp.
     *
     * @throws IntakeRejection 404 for an unknown source, 401 for a missing header or a stale timestamp
     */
    public void requireSignatureHeaders(@Header("source") String source,
                                        @Header("webhook-id") String id,
                                        @Header("webhook-timestamp") String timestamp,
                                        @Header("webhook-signature") String signatures) {
        if (source == null) {
            throw IntakeRejection.notFound("No webhook source is named in the request");
        }
        if (!knows(source)) {
            throw IntakeRejection.notFound("No webhook source '" + source + "' is configured");
        }
        require("webhook-id", id);
        require("webhook-timestamp", timestamp);
        require("webhook-signature", signatures);
        checkTimestamp(timestamp);
    }

    private static void require(String header, String value) {
        if (value == null || value.isBlank()) {
            throw IntakeRejection.unauthenticated("Missing header " + header);
        }
    }

    private void checkTimestamp(String timestamp) {
        long sent;
        try {
            if (!SECONDS.matcher(timestamp).matches()) {
                throw new NumberFormatException();
            }
            sent = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            // The value is not echoed: it is whatever the caller sent, of any length.
            throw IntakeRejection.unauthenticated("webhook-timestamp is not a Unix time in whole seconds");
        }
        long now = clock.instant().getEpochSecond();
        long age = now - sent;
        if (Math.abs(age) > toleranceSeconds) {
            String off = age > 0 ? age + " seconds in the past" : -age + " seconds in the future";
            throw IntakeRejection.unauthenticated("webhook-timestamp " + sent + " is outside the tolerance of "
                    + toleranceSeconds + " seconds (it is " + off + ")");
        }
    }

    // Entries of other schemes (v1a is the asymmetric one) are skipped, not refused: a sender may
    // sign with several schemes at once and only v1 is configured here.
    private static List<byte[]> v1Signatures(String header) {
        List<byte[]> signatures = new ArrayList<>();
        for (String entry : header.trim().split(" +")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue;
            }
            try {
                signatures.add(Base64.getDecoder().decode(entry.substring(comma + 1)));
            } catch (IllegalArgumentException e) {
                // Not base64, so it cannot match; the others may.
            }
        }
        return signatures;
    }

    private static byte[] signedContent(String id, String timestamp, byte[] body) {
        byte[] prefix = (id + '.' + timestamp + '.').getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return content;
    }

    private static Mac newMac() {
        try {
            return Mac.getInstance(HMAC_SHA256);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("This JVM has no " + HMAC_SHA256, e);
        }
    }

    private static byte[] hmac(Mac mac, SecretKeySpec key, byte[] content) {
        try {
            mac.init(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot use a webhook key for " + HMAC_SHA256, e);
        }
        return mac.doFinal(content);
    }
}
