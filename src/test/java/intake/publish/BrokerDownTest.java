package intake.publish;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.TestKafka;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Without the broker's acknowledgement nothing is accepted: 503 with Retry-After, then 202 again once it is back. */
class BrokerDownTest extends IntakeIntegrationTest {

    private static final String FORM = """
            {"name":"Rosalind Franklin","email":"rosalind@example.com","subject":"Photo 51","message":"Order status?"}""";

    @Test
    void requestsWhileTheBrokerIsDownAre503AndNotAcknowledged() throws Exception {
        assertThat(Http.post(url("/forms/support"), "application/json", FORM).statusCode()).isEqualTo(202);

        TestKafka.broker().stop();
        HttpResponse<String> down;
        try {
            down = Http.post(url("/forms/support"), "application/json", FORM, "X-Correlation-ID", "broker-down-1");
        } finally {
            TestKafka.broker().start();
        }

        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.headers().firstValue("Retry-After")).contains("5");
        assertThat(down.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode error = new ObjectMapper().readTree(down.body());
        assertThat(error.get("error").asText()).isEqualTo("publish_unavailable");
        assertThat(error.get("correlationId").asText()).isEqualTo("broker-down-1");

        assertThat(Http.post(url("/forms/support"), "application/json", FORM).statusCode()).isEqualTo(202);
    }
}
