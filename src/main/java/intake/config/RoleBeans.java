package intake.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What this instance runs (intake.roles), said at start-up and in the {@code roles} health component.
 * Each route names its role as its Camel route group ({@code edge}, {@code processor}, or
 * {@code shared} for the publish and processing steps both use); a route of a role not run fails its
 * precondition and is not created at all.
 */
@Configuration(proxyBeanMethods = false)
public class RoleBeans {

    private static final Logger LOG = LoggerFactory.getLogger(RoleBeans.class);

    static final String SHARED = "shared";

    @Bean
    Roles roles(@Value("${" + Roles.EDGE_SWITCH + "}") boolean edge, @Value("${" + Roles.PROCESSOR_SWITCH + "}") boolean processor,
                @Value("${intake.consumer.group-id}") String groupId) {
        Roles roles = new Roles(edge, processor);
        LOG.info("Intake runs the roles {} ({}): {}; {}", roles.names(), Roles.SETTING,
                edge ? "edge (HTTP channels, mailbox, outbox relay)" : "no edge (no HTTP channel, no mailbox)",
                processor ? "processor (tickets-consume in consumer group " + groupId + ")"
                        : "no processor (never joins consumer group " + groupId + ")");
        return roles;
    }

    /** UP, with the roles and, for each of them and the shared steps, the routes started. */
    @Bean
    HealthIndicator rolesHealthIndicator(Roles roles, CamelContext camel) {
        return () -> {
            Map<String, Object> started = new LinkedHashMap<>();
            for (String group : groups(roles)) {
                started.put(group, camel.getRoutes().stream().filter(route -> group.equals(route.getGroup()))
                        .map(Route::getRouteId)
                        .filter(id -> camel.getRouteController().getRouteStatus(id).isStarted())
                        .sorted().toList());
            }
            return Health.up().withDetail("roles", roles.names()).withDetail("routesStarted", started).build();
        };
    }

    private static List<String> groups(Roles roles) {
        List<String> groups = new ArrayList<>(roles.names());
        groups.add(SHARED);
        return groups;
    }
}
