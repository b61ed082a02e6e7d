package intake.config;

import intake.ingress.IntakeRejection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 503 with {@code Retry-After} and the JSON error on the public port while Intake is not
 * ready: the web server takes connections before Camel has started the routes (until then a
 * channel's path is unknown, a 404), and again from the moment Intake begins to stop. Ready means
 * Spring's readiness state (the readiness probe), which turns ACCEPTING_TRAFFIC only after every
 * route started and REFUSING_TRAFFIC when the context closes ({@link ReadinessOnClose}).
 */
public class ServingGate extends OncePerRequestFilter implements Ordered {

    /** A restart takes seconds; a caller retrying after one lands on the next instance or this one, ready. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final ApplicationAvailability availability;
    private final Counter refused;

    public ServingGate(ApplicationAvailability availability, MeterRegistry registry) {
        this.availability = availability;
        this.refused = Counter.builder("intake.requests.not.serving")
                .description("Requests answered 503 because Intake was starting or stopping")
                .register(registry);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC) {
            chain.doFilter(request, response);
            return;
        }
        refused.increment();
        response.setHeader("Retry-After", RETRY_AFTER_SECONDS);
        FilterReplies.reject(request, response, IntakeRejection.notServing());
    }

    // Before every other filter: a request refused here is not read at all.
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
