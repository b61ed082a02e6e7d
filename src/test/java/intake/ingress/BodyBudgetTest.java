package intake.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.RawHttp;
import intake.testing.RawHttp.Answer;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * The public port holds at most intake.http.max-body-bytes-in-flight of request bodies at once: a
 * request whose declared body does not fit in what the others hold is a 503 with Retry-After before
 * a byte of it is read, the budget comes back when a request ends, and a request that fits is served
 * as usual. Here the budget is 300,000 bytes, and a caller holds 200,000 of it by sending the head of
 * a request and keeping its body back.
 */
@TestPropertySource(properties = "intake.http.max-body-bytes-in-flight=" + BodyBudgetTest.BUDGET)
class BodyBudgetTest extends IntakeIntegrationTest {

    static final int BUDGET = 300_000;
    private static final int HELD = 200_000;
    private static final List<String> TOPICS = List.of("fte.tickets.incoming", "fte.channels.webform.inbound");

    @Test
    void aBodyThatDoesNotFitInWhatOthersHoldIs503UnreadAndTheBudgetComesBackWhenTheyEnd() throws Exception {
        double refusedBefore = metric("intake_requests_rejected_total", "route=\"forms-support-ingress\",status=\"503\"");
        try (Socket held = RawHttp.heldBody(port, "/forms/support", HELD, "Content-Type", "application/json")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> metric("intake_http_body_in_flight_bytes", "") == HELD);
            long published = kafka.endOffsetSum(TOPICS);

            Answer refused = RawHttp.withheldBody(port, "POST", "/forms/support", BUDGET - HELD + 1, "Content-Type", "application/json");
            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers()).containsEntry("retry-after", "1");
            assertThat(refused.headers().get("content-type")).startsWith("application/json");
            assertThat(refused.body()).contains("\"error\":\"overloaded\"", "intake.http.max-body-bytes-in-flight", "\"correlationId\"");
            assertThat(metric("intake_requests_rejected_total", "route=\"forms-support-ingress\",status=\"503\""))
                    .isEqualTo(refusedBefore + 1);
            assertThat(kafka.endOffsetSum(TOPICS)).as("nothing published for the refused request").isEqualTo(published);

            assertThat(post(1_000).statusCode()).as("a body that fits in what is left").isEqualTo(202);
            assertThat(metric("intake_http_body_in_flight_bytes", "")).as("its bytes came back").isEqualTo(HELD);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> metric("intake_http_body_in_flight_bytes", "") == 0);
        HttpResponse<String> large = post(250_000);
        assertThat(large.statusCode()).as(large.body()).isEqualTo(202);
        assertThat(metric("intake_http_body_in_flight_bytes", "")).isZero();
    }

    /** A valid support form of about {@code bytes} bytes: the padding is a field the form ignores, published whole on the raw topic. */
    private HttpResponse<String> post(int bytes) {
        String form = "{\"name\":\"Grace Hopper\",\"email\":\"grace@example.com\",\"subject\":\"Budget\",\"message\":\"Order status?\",\"padding\":\"\"}";
        return Http.post(url("/forms/support"), "application/json",
                form.replace("\"padding\":\"\"", "\"padding\":\"" + "x".repeat(bytes - form.length()) + "\""));
    }
}
