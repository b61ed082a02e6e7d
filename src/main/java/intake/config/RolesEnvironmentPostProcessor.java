package intake.config;

import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns intake.roles into the switches {@code intake.roles.edge} and {@code intake.roles.processor}
 * that the routes' preconditions read (Camel's properties are Spring's environment), and refuses an
 * empty or unknown role before anything starts. A property source rather than beans: the build
 * runs Spring AOT, which fixes the bean definitions at build time (docs/adr/0009), while this runs
 * at every start. Without the processor role, the dead-letter replay and consumer endpoints are off.
 * Registered in META-INF/spring.factories; runs after application.yaml and the environment are read.
 */
public class RolesEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final List<String> DEFAULT = List.of(Roles.EDGE, Roles.PROCESSOR);

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Roles roles = Roles.parse(named(environment));
        // first: derived from intake.roles, never set on their own
        environment.getPropertySources().addFirst(new MapPropertySource("intakeRoles", Map.of(
                Roles.EDGE_SWITCH, Boolean.toString(roles.edge()),
                Roles.PROCESSOR_SWITCH, Boolean.toString(roles.processor()))));
        if (!roles.processor()) {
            // last: an operator's own management.endpoint.*.access still wins
            environment.getPropertySources().addLast(new MapPropertySource("intakeRoleEndpoints", Map.of(
                    "management.endpoint.dlqreplay.access", "none",
                    "management.endpoint.ticketconsumer.access", "none")));
        }
    }

    /** The roles named; an empty value (INTAKE_ROLES=) is an empty list, not the default. */
    private static List<String> named(ConfigurableEnvironment environment) {
        List<String> named = Binder.get(environment).bind(Roles.SETTING, Bindable.listOf(String.class)).orElse(null);
        if (named != null) {
            return named;
        }
        return environment.containsProperty(Roles.SETTING) ? List.of() : DEFAULT;
    }
}
