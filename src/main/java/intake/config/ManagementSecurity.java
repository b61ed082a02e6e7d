package intake.config;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.context.support.WebApplicationContextUtils;

/**
 * Operators authenticate on the management port: HTTP Basic against {@code intake.management.users},
 * stateless, on the management server only. The public port never runs Spring Security's filter
 * at all, so its channels answer as they did: no firewall, no CSRF check reading form bodies, no session.
 *
 * <p>{@code IntakeApplication} leaves out {@code SecurityFilterAutoConfiguration}, which would put
 * the filter on the public port too; Spring Boot's management child context registers the same
 * filter on its own server by itself ({@code ServletManagementChildContextConfiguration}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ManagementSecurity {

    private static final String MONITORING = ManagementUsers.Role.MONITORING.name();
    private static final String OPERATOR = ManagementUsers.Role.OPERATOR.name();

    @Bean
    SecurityFilterChain managementSecurityFilterChain(HttpSecurity http, WebEndpointProperties endpoints) throws Exception {
        ManagementErrors errors = new ManagementErrors();
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        String base = endpoints.getBasePath();
        return http.securityMatcher(ManagementSecurity::onManagementServer)
                .authorizeHttpRequests(requests -> requests
                        // the Kubernetes probes, which carry no credentials
                        .requestMatchers(paths.matcher(HttpMethod.GET, base + "/health/liveness"),
                                paths.matcher(HttpMethod.GET, base + "/health/readiness")).permitAll()
                        .requestMatchers(paths.matcher(HttpMethod.GET, "/**")).hasAnyRole(MONITORING, OPERATOR)
                        // every write (replay, resume), and whatever else comes later
                        .anyRequest().hasRole(OPERATOR))
                .httpBasic(basic -> basic.authenticationEntryPoint(errors))
                .exceptionHandling(handling -> handling.authenticationEntryPoint(errors).accessDeniedHandler(errors))
                // machine clients with credentials on every call: no session, no CSRF token, no login page
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .csrf(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .build();
    }

    /** The management users; start-up stops when the management port is open and nobody could use it. */
    @Bean
    UserDetailsService managementUserDetails(ManagementUsers users, Environment environment) {
        ManagementPortType port = ManagementPortType.get(environment);
        if (port == ManagementPortType.SAME) {
            throw new IllegalStateException("management.server.port (INTAKE_MANAGEMENT_PORT) must differ from server.port:"
                    + " operators authenticate on the management server only, and the public port must not serve the actuator");
        }
        if (port == ManagementPortType.DIFFERENT && users.users().isEmpty()) {
            throw new IllegalStateException("No management user is configured, and the management endpoints need one:"
                    + " set intake.management.users.<name>.password ({bcrypt}<hash> or {noop}<password>) and"
                    + " intake.management.users.<name>.roles (monitoring or operator), e.g. INTAKE_MANAGEMENT_USERS_OPS_PASSWORD"
                    + " and INTAKE_MANAGEMENT_USERS_OPS_ROLES, or switch the management port off (management.server.port=-1)");
        }
        return users.userDetails();
    }

    /** Keeps Spring Boot from adding the security filter bean to the public server as a plain filter. */
    @Bean
    FilterRegistrationBean<Filter> noSecurityFilterOnThePublicPort(@Qualifier("springSecurityFilterChain") Filter filter) {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(filter);
        registration.setEnabled(false);
        return registration;
    }

    /** True for a request the management server serves (its web application context is the management child). */
    private static boolean onManagementServer(HttpServletRequest request) {
        return WebServerApplicationContext.hasServerNamespace(
                WebApplicationContextUtils.getWebApplicationContext(request.getServletContext()), "management");
    }
}
