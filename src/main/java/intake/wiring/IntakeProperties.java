package intake.wiring;

import intake.channel.webhook.WebhookFields;
import intake.publish.Topics;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * What the Java beans read from {@code intake.*}; routes read their own values through
 * placeholders. Secrets of an enabled channel are checked at start-up, so a missing secret
 * stops Intake with a message instead of answering 401 to every provider call.
 */
@Validated
@ConfigurationProperties("intake")
public record IntakeProperties(@Valid @NotNull Topics topics, @Valid @NotNull Channels channels, @Valid @NotNull Bypass bypass) {

    /** The circuit breaker around Kafka and the outbox relay (application.yaml says why each number). */
    public record Bypass(@Min(1) long requestBoundMs, @Min(1) int slidingWindowSize, @Min(1) int minimumNumberOfCalls,
                         @Min(1) @Max(100) float failureRateThreshold, @NotNull Duration slowCallDuration,
                         @Min(1) @Max(100) float slowCallRateThreshold, @NotNull Duration waitInOpenState,
                         @Min(1) int callsInHalfOpenState, @NotNull Duration relayClaimLease) {
    }

    public record Channels(@Valid @NotNull Webhooks webhooks, @Valid @NotNull Twilio twilio, @Valid @NotNull Meta meta) {
    }

    /**
     * Standard Webhooks senders: each source name has one or more {@code whsec_} secrets (several
     * while one rotates), and, when its events are not in the Standard Webhooks shape, the JSONPath
     * of each ticket field in them.
     */
    public record Webhooks(@NotNull Duration tolerance, Map<String, Source> sources) {

        public Map<String, List<String>> secretsBySource() {
            Map<String, List<String>> secrets = new TreeMap<>();
            if (sources != null) {
                sources.forEach((name, source) -> secrets.put(name, source.secrets() == null ? List.of() : source.secrets()));
            }
            return secrets;
        }

        /** The sources that declare where their fields are, by name. */
        public Map<String, Fields> fieldsBySource() {
            Map<String, Fields> fields = new TreeMap<>();
            if (sources != null) {
                sources.forEach((name, source) -> {
                    if (source.fields() != null) {
                        fields.put(name, source.fields());
                    }
                });
            }
            return fields;
        }

        public record Source(List<String> secrets, Fields fields) {
        }

        /** A JSONPath per ticket field (docs/channels/webhooks.md#other-payload-shapes); a field without one is absent. */
        public record Fields(String type, String customerEmail, String customerPhone, String customerId, String customerName,
                             String subject, String message, String attachments) {

            /** By the names the properties have (type, customer-email, ...), as WebhookFields.compile takes them. */
            public Map<String, String> byName() {
                Map<String, String> paths = new HashMap<>();
                paths.put(WebhookFields.TYPE, type);
                paths.put(WebhookFields.CUSTOMER_EMAIL, customerEmail);
                paths.put(WebhookFields.CUSTOMER_PHONE, customerPhone);
                paths.put(WebhookFields.CUSTOMER_ID, customerId);
                paths.put(WebhookFields.CUSTOMER_NAME, customerName);
                paths.put(WebhookFields.SUBJECT, subject);
                paths.put(WebhookFields.MESSAGE, message);
                paths.put(WebhookFields.ATTACHMENTS, attachments);
                return paths;
            }
        }
    }

    /**
     * WhatsApp through Twilio. The public URL is the one Twilio calls and signs, required when
     * enabled: the URL a request arrives with (Host, forwarded headers) is the caller's to choose.
     * The secondary auth token is accepted too while Twilio's secondary token is being promoted.
     */
    public record Twilio(boolean enabled, String authToken, String secondaryAuthToken, String publicUrl) {
    }

    /** WhatsApp through the Meta Cloud API; the previous app secret is accepted too while a reset takes effect. */
    public record Meta(boolean enabled, String appSecret, String previousAppSecret, String verifyToken) {
    }
}
