package intake.ingress;

import java.time.Instant;
import java.util.Map;

/** A request exactly as it arrived: bytes and original headers, published for audit and replay. */
public record RawPayload(byte[] bytes, Map<String, String> headers, Instant receivedAt) {

    public RawPayload {
        headers = Map.copyOf(headers);
    }
}
