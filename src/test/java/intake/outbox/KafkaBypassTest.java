package intake.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.TestKafka;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** With the broker down, requests are still accepted: the outbox keeps the event, the agent processes it, nothing is lost. */
class KafkaBypassTest extends IntakeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void brokerDownMeansBypassThenTheRelayDrainsTheOutboxWhenItIsBack() throws Exception {
        assertThat(post("before-outage").statusCode()).isEqualTo(202);

        TestKafka.broker().stop();
        String ticketId;
        try {
            long started = System.nanoTime();
            HttpResponse<String> during = post("during-outage");
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(during.statusCode()).isEqualTo(202);
            assertThat(tookMillis).as("request time with the broker down").isLessThan(2_000);
            ticketId = JSON.readTree(during.body()).get("ticketId").asText();

            // processed in bypass, at once: the status is readable while Kafka is still down
            HttpResponse<String> status = Http.get(url("/tickets/" + ticketId));
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(status.body()).get("status").asText()).isEqualTo("processed");

            await().atMost(Duration.ofSeconds(10)).until(() -> healthStatus().equals("DEGRADED"));
            JsonNode kafkaHealth = JSON.readTree(Http.get(managementUrl("/actuator/health")).body()).at("/components/kafka");
            assertThat(kafkaHealth.at("/details/outboxDepth").asLong()).isGreaterThan(0);
            HttpResponse<String> health = Http.get(managementUrl("/actuator/health"));
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            assertThat(Http.get(managementUrl("/actuator/health/liveness")).body()).contains("UP");
            assertThat(Http.get(managementUrl("/actuator/health/readiness")).body()).contains("UP");
            assertThat(prometheus()).containsPattern("kafka_bypass_active\\S* 1\\.0");
        } finally {
            TestKafka.broker().start();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> healthStatus().equals("UP"));
        assertThat(prometheus()).containsPattern("kafka_bypass_active\\S* 0\\.0").containsPattern("intake_outbox_depth\\S* 0\\.0");
        String id = ticketId;
        kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", id), 1);
        kafka.awaitRecords("fte.channels.webform.inbound", Records.withHeader("intake_correlation_id", "during-outage"), 1);
        // the decision made in bypass was relayed; the consumer skipped the relayed ticket
        await().atMost(Duration.ofSeconds(20)).until(() -> decisions(id) == 1);
        Thread.sleep(1_000);
        assertThat(decisions(id)).isEqualTo(1);
    }

    /** How many times the agent decided the ticket: distinct decision ids (a record may be on the topic twice). */
    private long decisions(String ticketId) {
        return kafka.readAll("fte.agent.decisions").stream().map(r -> {
            try {
                return JSON.readTree(r.value());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(d -> d.path("ticketId").asText().equals(ticketId)).map(d -> d.path("decisionId").asText()).distinct().count();
    }

    private HttpResponse<String> post(String correlationId) {
        return Http.post(url("/forms/support"), "application/json", """
                {"name":"Rosalind Franklin","email":"rosalind@example.com","subject":"Photo 51","message":"Order status?"}""",
                "X-Correlation-ID", correlationId);
    }

    private String healthStatus() throws Exception {
        return JSON.readTree(Http.get(managementUrl("/actuator/health")).body()).at("/components/kafka/status").asText();
    }

    private String prometheus() {
        return Http.get(managementUrl("/actuator/prometheus")).body();
    }

}
