package intake.ingress;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What each HTTP channel keeps of a request's headers for its audit record: an allowlist, so a
 * header nobody chose (a credential, a cookie, a name camel-kafka reads as a control value) never
 * reaches Kafka or the outbox. docs/security.md lists the same names.
 */
public final class KeptRequestHeaders {

    /** Every kept header travels on the audit record under this prefix, so no name can be a control header. */
    public static final String RECORD_PREFIX = "intake_http_";

    /** The caller's credentials: on no list, never stored. */
    public static final Set<String> CREDENTIALS = Set.of("authorization", "proxy-authorization", "cookie");

    // Lowercased, as HTTP/2 spells them. The signature headers let an auditor verify the stored bytes again.
    private static final Map<String, List<String>> BY_CHANNEL = Map.of(
            "webform", List.of("content-type", "user-agent", "origin", "accept-language", "idempotency-key"),
            "webhook", List.of("content-type", "user-agent", "webhook-id", "webhook-timestamp", "webhook-signature"),
            "whatsapp", List.of("content-type", "user-agent", "x-twilio-signature", "i-twilio-idempotency-token",
                    "x-hub-signature-256"));

    private KeptRequestHeaders() {
    }

    /** The header names the channel keeps. */
    public static List<String> of(String channel) {
        List<String> names = BY_CHANNEL.get(channel);
        if (names == null) {
            throw new IllegalArgumentException("No request headers are defined for channel '" + channel
                    + "'; channels with HTTP requests: " + BY_CHANNEL.keySet());
        }
        return names;
    }
}
