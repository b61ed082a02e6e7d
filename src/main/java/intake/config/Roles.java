package intake.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What this instance runs (intake.roles): the edge (HTTP channels, the mailbox, the outbox relay),
 * the processor (the ticket consumer and its dead-letter route), or both, the default.
 */
public record Roles(boolean edge, boolean processor) {

    public static final String SETTING = "intake.roles";
    public static final String EDGE = "edge";
    public static final String PROCESSOR = "processor";
    /** The derived switches the routes' preconditions read, set by {@link RolesEnvironmentPostProcessor}. */
    public static final String EDGE_SWITCH = SETTING + "." + EDGE;
    public static final String PROCESSOR_SWITCH = SETTING + "." + PROCESSOR;

    /** The roles named, e.g. {@code [edge, processor]} from {@code edge,processor}; refuses an empty list or an unknown role. */
    public static Roles parse(List<String> named) {
        Set<String> roles = new LinkedHashSet<>();
        for (String name : named) {
            String role = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
            if (role.isEmpty()) {
                continue;
            }
            if (!role.equals(EDGE) && !role.equals(PROCESSOR)) {
                throw new IllegalArgumentException(SETTING + " (INTAKE_ROLES) names an unknown role '" + name.trim()
                        + "': the roles are edge and processor, comma-separated (both by default)");
            }
            roles.add(role);
        }
        if (roles.isEmpty()) {
            throw new IllegalArgumentException(SETTING + " (INTAKE_ROLES) is empty: name edge, processor or both,"
                    + " comma-separated (both by default)");
        }
        return new Roles(roles.contains(EDGE), roles.contains(PROCESSOR));
    }

    /** The roles run, in a fixed order: [edge, processor]. */
    public List<String> names() {
        List<String> names = new ArrayList<>(2);
        if (edge) {
            names.add(EDGE);
        }
        if (processor) {
            names.add(PROCESSOR);
        }
        return List.copyOf(names);
    }
}
