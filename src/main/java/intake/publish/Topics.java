package intake.publish;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.util.Map;

/**
 * The Kafka topics Intake writes and reads, and how missing ones are created (intake.topics.*):
 * a plain value, bound by the configuration and handed to whatever writes records.
 */
public record Topics(@NotBlank String tickets, @NotNull Map<String, String> channels,
                     @Min(1) int partitions, @Min(1) @Max(Short.MAX_VALUE) int replicationFactor,
                     @NotBlank String decisions, @NotBlank String escalations, @NotBlank String agentMetrics,
                     @NotBlank String dlq) {

    /** The raw-payload topic of a channel: {@code fte.channels.<channel>.inbound} unless configured. */
    public String inbound(String channel) {
        return channels.getOrDefault(channel, "fte.channels." + channel + ".inbound");
    }
}
