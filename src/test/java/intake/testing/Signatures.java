package intake.testing;

import com.standardwebhooks.Webhook;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signs test requests the way each provider does; the Standard Webhooks one with the provider's own library. */
public final class Signatures {

    private Signatures() {
    }

    public static String standardWebhook(String secret, String webhookId, long timestamp, String body) {
        try {
            return new Webhook(secret).sign(webhookId, timestamp, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** POSTs a JSON event to a webhook URL, signed now with the source's secret as a Standard Webhooks sender does. */
    public static HttpResponse<String> postSignedWebhook(String url, String secret, String webhookId, String body) {
        long timestamp = Instant.now().getEpochSecond();
        return Http.post(url, "application/json", body, "webhook-id", webhookId, "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", standardWebhook(secret, webhookId, timestamp, body));
    }

    /** Twilio: base64 HMAC-SHA1 over the URL and every parameter name and value, sorted by name. */
    public static String twilio(String authToken, String url, Map<String, String> params) {
        StringBuilder signed = new StringBuilder(url);
        new TreeMap<>(params).forEach((name, value) -> signed.append(name).append(value));
        return Base64.getEncoder().encodeToString(hmac("HmacSHA1", authToken, signed.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** Meta: sha256= and the hex HMAC-SHA256 of the raw body. */
    public static String meta(String appSecret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac("HmacSHA256", appSecret, body));
    }

    private static byte[] hmac(String algorithm, String key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), algorithm));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
