package intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The local run's route reload (profile "local", as {@code ./mvnw spring-boot:test-run} starts it):
 * a route file saved while Intake runs is live within seconds, the routes of every other file
 * keep running, and a file saved with an error leaves the routes before it serving. The routes are copied to a directory of the test's own, which the profile's reload
 * watches instead of src/main/resources/routes, so the test edits no source file.
 */
@ActiveProfiles("local")
class RouteReloadTest extends IntakeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROUTES = copyOfTheRoutes();

    @Autowired
    CamelContext camel;

    @DynamicPropertySource
    static void routesFromTheCopy(DynamicPropertyRegistry registry) {
        registry.add("camel.main.routes-include-pattern", () -> "file:" + ROUTES + "/*.camel.yaml");
        registry.add("camel.main.routes-reload-directory", ROUTES::toString);
    }

    @Test
    void aSavedRouteFileIsLiveWithinSecondsEveryOtherRouteKeepsRunningAndABrokenFileChangesNothing() throws Exception {
        assertThat(Http.get(url("/support")).headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        int routes = camel.getRoutes().size();

        Path forms = ROUTES.resolve("forms.camel.yaml");
        String route = Files.readString(forms);
        assertThat(route).contains("constant: no-referrer");
        Files.writeString(forms, route.replace("constant: no-referrer", "constant: same-origin"));

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.get(url("/support")).headers().firstValue("Referrer-Policy").orElse(""), "same-origin"::equals);
        assertThat(camel.getRoutes()).hasSize(routes);
        assertThat(camel.getRouteController().getRouteStatus("webhooks-ingress")).isEqualTo(ServiceStatus.Started);
        assertThat(camel.getRouteController().getRouteStatus("intake-accept")).isEqualTo(ServiceStatus.Started);

        // the reloaded file's other routes serve as before: the form is accepted and published
        HttpResponse<String> accepted = Http.post(url("/forms/support"), "application/json",
                "{\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"subject\":\"Reload\",\"message\":\"Still there?\"}");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String ticketId = JSON.readTree(accepted.body()).get("ticketId").asText();
        kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1);

        // a file saved half-edited does not take the routes before it down
        Files.writeString(forms, route.replace("- route:\n    id: forms-support-page", "- route:\n    id: [forms-support-page"));
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                .until(() -> Http.get(url("/support")).headers().firstValue("Referrer-Policy").orElse(""), "same-origin"::equals);
        assertThat(camel.getRoutes()).hasSize(routes);
    }

    private static Path copyOfTheRoutes() {
        try {
            Path copy = Files.createTempDirectory("intake-routes-");
            copy.toFile().deleteOnExit(); // after its files, which are registered later
            try (Stream<Path> routes = Files.list(Path.of("src/main/resources/routes"))) {
                for (Path route : routes.toList()) {
                    Files.copy(route, copy.resolve(route.getFileName())).toFile().deleteOnExit();
                }
            }
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
