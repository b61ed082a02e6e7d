package intake.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/** The management port's 401 and 403 answers, as JSON in the project's error shape. */
final class ManagementErrors implements AuthenticationEntryPoint, AccessDeniedHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The error shape of the management port: {"error", "message"}. */
    static Map<String, Object> body(String error, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("message", message);
        return body;
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException failure)
            throws IOException {
        response.setHeader("WWW-Authenticate", "Basic realm=\"intake-management\", charset=\"UTF-8\"");
        write(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", failure instanceof BadCredentialsException
                ? "Wrong user name or password"
                : "The management port needs HTTP Basic credentials of a user in intake.management.users");
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException denied)
            throws IOException {
        String user = request.getUserPrincipal() == null ? "this user" : request.getUserPrincipal().getName();
        write(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", user + " may not " + request.getMethod() + " "
                + request.getRequestURI() + ": reads need the monitoring or operator role, everything else the operator role");
    }

    private static void write(HttpServletResponse response, int status, String error, String message) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json");
        response.setHeader("X-Content-Type-Options", "nosniff");
        JSON.writeValue(response.getOutputStream(), body(error, message));
    }
}
