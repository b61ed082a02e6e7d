package intake.wiring;

import java.util.UUID;

/** This instance's name in forensics headers and outbox claims: intake.instance-id, else the host name. */
public final class InstanceId {

    private static final String GENERATED = "intake-" + UUID.randomUUID().toString().substring(0, 8);

    private InstanceId() {
    }

    public static String of(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String host = System.getenv("HOSTNAME");
        return host != null && !host.isBlank() ? host : GENERATED;
    }
}
