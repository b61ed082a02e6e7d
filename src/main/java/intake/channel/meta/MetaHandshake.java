package intake.channel.meta;

import intake.ingress.IntakeRejection;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.apache.camel.Header;

/** Answers Meta's webhook subscription handshake: echo hub.challenge when hub.verify_token matches. */
public class MetaHandshake {

    private final byte[] verifyToken;

    public MetaHandshake(String verifyToken) {
        if (verifyToken == null || verifyToken.isBlank()) {
            throw new IllegalArgumentException("intake.channels.meta.verify-token must be set when the Meta channel is enabled");
        }
        this.verifyToken = verifyToken.getBytes(StandardCharsets.UTF_8);
    }

    public String challenge(@Header("hub.mode") String mode, @Header("hub.verify_token") String token,
                            @Header("hub.challenge") String challenge) {
        if (!"subscribe".equals(mode)) {
            throw new IntakeRejection(403, "forbidden", "hub.mode must be subscribe");
        }
        if (token == null || !MessageDigest.isEqual(verifyToken, token.getBytes(StandardCharsets.UTF_8))) {
            throw new IntakeRejection(403, "forbidden", "hub.verify_token does not match this endpoint's verify token");
        }
        if (challenge == null || challenge.isBlank() || challenge.length() > 256) {
            throw IntakeRejection.malformed("hub.challenge is required");
        }
        return challenge;
    }
}
