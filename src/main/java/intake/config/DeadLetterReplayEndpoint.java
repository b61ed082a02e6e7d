package intake.config;

import intake.forensics.DeadLetterReplay;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The operator's replay command on the management port: {@code POST /actuator/dlqreplay} with
 * an optional JSON body {@code {"partition": 0, "fromOffset": 10, "toOffset": 20}}.
 */
@Endpoint(id = "dlqreplay")
public class DeadLetterReplayEndpoint {

    private final DeadLetterReplay replay;

    public DeadLetterReplayEndpoint(DeadLetterReplay replay) {
        this.replay = replay;
    }

    @WriteOperation
    public DeadLetterReplay.Result replay(@Nullable Integer partition, @Nullable Long fromOffset, @Nullable Long toOffset) {
        return replay.replay(partition, fromOffset, toOffset);
    }
}
