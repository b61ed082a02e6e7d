package intake.config;

import intake.forensics.DeadLetterReplays;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;

/**
 * The operator's replay command on the management port: {@code POST /actuator/dlqreplay} with
 * an optional JSON body {@code {"partition": 0, "fromOffset": 10, "toOffset": 20}} starts a
 * replay and answers 202 at once; {@code GET /actuator/dlqreplay/{id}} says how it is going.
 */
@Endpoint(id = "dlqreplay")
public class DeadLetterReplayEndpoint {

    private final DeadLetterReplays replays;
    private final String basePath;

    public DeadLetterReplayEndpoint(DeadLetterReplays replays, String basePath) {
        this.replays = replays;
        this.basePath = basePath;
    }

    /** 202 with the new replay's id, or 409 with the running one's: one replay runs at a time. */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> replay(Principal user, @Nullable Integer partition,
                                                           @Nullable Long fromOffset, @Nullable Long toOffset) {
        DeadLetterReplays.Start start = replays.start(user.getName(), partition, fromOffset, toOffset);
        Map<String, Object> answer = new LinkedHashMap<>();
        if (!start.started()) {
            answer.put("error", "conflict");
            answer.put("message", "Replay " + start.replay().id() + " is still running; one replay runs at a time");
        }
        answer.put("replayId", start.replay().id());
        answer.put("state", start.replay().state());
        answer.put("statusUrl", basePath + "/dlqreplay/" + start.replay().id());
        return new WebEndpointResponse<>(answer, start.started() ? 202 : 409);
    }

    @ReadOperation
    public WebEndpointResponse<Object> status(@Selector String id) {
        return replays.find(id).<WebEndpointResponse<Object>>map(WebEndpointResponse::new)
                .orElseGet(() -> new WebEndpointResponse<>(ManagementErrors.body("not_found", "No replay " + id
                        + " on this instance (the last 100 are kept, until a restart)"), WebEndpointResponse.STATUS_NOT_FOUND));
    }
}
