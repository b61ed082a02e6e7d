package intake.config;

import intake.ingress.HttpIngress;
import intake.ingress.HttpReplies;
import intake.ingress.IntakeExchange;
import intake.ingress.IntakeRejection;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** The channels' JSON error, written by a servlet filter that answers before Camel sees the request. */
final class FilterReplies {

    private FilterReplies() {
    }

    static void reject(HttpServletRequest request, HttpServletResponse response, IntakeRejection rejection) throws IOException {
        String correlationId = HttpIngress.correlationId(request.getHeader(IntakeExchange.CORRELATION_HEADER));
        response.setStatus(rejection.status());
        response.setContentType("application/json");
        response.setHeader(IntakeExchange.CORRELATION_HEADER, correlationId);
        response.setHeader(HttpReplies.NOSNIFF_HEADER, HttpReplies.NOSNIFF);
        response.getOutputStream().write(HttpReplies.errorJson(rejection, correlationId));
    }
}
