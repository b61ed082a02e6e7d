package intake.config;

import intake.forensics.DeadLetterGuard;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The ticket consumer's state on the management port, and how an operator resumes it after the
 * dead-letter guard stopped it: {@code POST /actuator/ticketconsumer}.
 */
@Endpoint(id = "ticketconsumer")
public class TicketConsumerEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(TicketConsumerEndpoint.class);

    private final DeadLetterGuard guard;

    public TicketConsumerEndpoint(DeadLetterGuard guard) {
        this.guard = guard;
    }

    @ReadOperation
    public Map<String, Object> state() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("stopped", guard.consumerStopped());
        state.put("stoppedBecause", guard.stoppedBecause());
        state.put("deadLetterWriteFailuresInARow", guard.consecutiveFailures());
        return state;
    }

    @WriteOperation
    public Map<String, Object> resume(Principal user) throws Exception {
        LOG.warn("Ticket consumer resume requested by {} (stopped: {}, because: {})", user.getName(), guard.consumerStopped(),
                guard.stoppedBecause());
        guard.resume();
        return state();
    }
}
