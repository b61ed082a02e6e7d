package intake.ticket;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Makes and checks the token of a ticket's status URL: HMAC-SHA256 of the ticket id, base64url without padding. */
public final class StatusTokens {

    /** The setting the secrets come from, named in every refusal so an operator knows what to fix. */
    public static final String SETTING = "intake.tickets.status-secrets";
    /** As long as the HMAC-SHA256 output: a shorter secret would be the weakest part of the token. */
    public static final int MIN_SECRET_BYTES = 32;

    private static final String HMAC_SHA256 = "HmacSHA256";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** One initialized HMAC per secret, cloned for each token: Mac.getInstance and init cost more than the HMAC itself. */
    private final List<Mac> hmacs;

    /**
     * @param secrets the first signs, every one verifies, so a secret can rotate out without
     *                breaking the status URLs already handed out
     * @throws IllegalArgumentException naming the setting (never the secret) when there is none or one is too short
     */
    public StatusTokens(List<String> secrets) {
        if (secrets == null || secrets.isEmpty()) {
            throw new IllegalArgumentException(SETTING + " is missing: set at least one secret of "
                    + MIN_SECRET_BYTES + " bytes or more (e.g. INTAKE_TICKETS_STATUS_SECRETS_0)");
        }
        List<Mac> hmacs = new ArrayList<>();
        for (int i = 0; i < secrets.size(); i++) {
            byte[] secret = secrets.get(i) == null ? new byte[0] : secrets.get(i).getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET_BYTES) {
                throw new IllegalArgumentException(SETTING + "[" + i + "] is " + secret.length + " bytes long; it must be at least "
                        + MIN_SECRET_BYTES + " bytes");
            }
            hmacs.add(hmac(new SecretKeySpec(secret, HMAC_SHA256)));
        }
        this.hmacs = List.copyOf(hmacs);
    }

    /** The token for the ticket, signed with the first secret. */
    public String token(String ticketId) {
        return token(hmacs.get(0), ticketId);
    }

    /** The relative URL that reads the ticket's status: {@code /tickets/<ticketId>?token=<token>}. */
    public String statusUrl(String ticketId) {
        return "/tickets/" + ticketId + "?token=" + token(ticketId);
    }

    /** True when the token was made for this ticket id with any of the secrets; compared in constant time. */
    public boolean verifies(String ticketId, String token) {
        if (ticketId == null || token == null) {
            return false;
        }
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        boolean valid = false;
        for (Mac hmac : hmacs) {
            // no early exit: the time taken does not tell which secret matched
            valid |= MessageDigest.isEqual(token(hmac, ticketId).getBytes(StandardCharsets.UTF_8), given);
        }
        return valid;
    }

    private static String token(Mac hmac, String ticketId) {
        try {
            Mac mac = (Mac) hmac.clone();
            return BASE64URL.encodeToString(mac.doFinal(ticketId.getBytes(StandardCharsets.UTF_8)));
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("The HMAC-SHA256 provider cannot copy a key's state", e);
        }
    }

    /** Fails at start-up, not at the first request, when HMAC-SHA256 is missing or cannot be copied. */
    private static Mac hmac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA256);
            mac.init(key);
            mac.clone();
            return mac;
        } catch (GeneralSecurityException | CloneNotSupportedException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available for " + SETTING + ": " + e.getMessage(), e);
        }
    }
}
