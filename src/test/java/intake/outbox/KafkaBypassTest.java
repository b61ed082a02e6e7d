package intake.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.TestKafka;
import intake.wiring.RouteBeans;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/** With the broker down, requests are still accepted: the outbox keeps the event, the agent processes it, nothing is lost. */
class KafkaBypassTest extends IntakeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Value("${intake.bypass.request-bound-ms}")
    long requestBoundMillis;

    @Autowired
    CamelContext camel;

    @Autowired
    RouteBeans routeBeans;

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
            assertThat(tookMillis).as("request time with the broker down").isLessThanOrEqualTo(requestBoundMillis);
            ticketId = JSON.readTree(during.body()).get("ticketId").asText();

            // processed in bypass, at once: the status is readable while Kafka is still down
            HttpResponse<String> status = Http.get(url(JSON.readTree(during.body()).get("statusUrl").asText()));
            assertThat(status.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(status.body()).get("status").asText()).isEqualTo("processed");

            await().atMost(Duration.ofSeconds(10)).until(() -> healthStatus().equals("DEGRADED"));
            JsonNode kafkaHealth = JSON.readTree(Http.get(managementUrl("/actuator/health"), MONITORING).body()).at("/components/kafka");
            assertThat(kafkaHealth.at("/details/outboxDepth").asLong()).isGreaterThan(0);
            HttpResponse<String> health = Http.get(managementUrl("/actuator/health"), MONITORING);
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

    @Test
    void whileACustomersRecordsWaitInTheOutboxTheirNewEventsQueueBehindThemOthersGoToKafkaAndOnlyAnOpenBreakerMeansBypassProcessing()
            throws Exception {
        // The relay is held back, so the outbox still holds the first event when the breaker closes
        // again. The broker stays up (the breaker is forced open instead): Kafka could take the
        // second event at once, and would put it before the first. Another customer's event has
        // nothing to wait for.
        assertThat(ticketId(post("warm-up", "Babbage"))).isNotBlank();
        camel.getRouteController().stopRoute("outbox-relay");
        String first;
        String second;
        HttpResponse<String> queued;
        try {
            routeBeans.kafkaCircuitBreaker().transitionToForcedOpenState();
            HttpResponse<String> bypassed = post("queued-first", "Babbage");
            first = ticketId(bypassed);
            assertThat(status(bypassed)).as("processed at once: the breaker is open").isEqualTo(200);
            routeBeans.kafkaCircuitBreaker().transitionToClosedState();

            queued = post("queued-second", "Babbage");
            second = ticketId(queued);
            assertThat(kafka.readAll("fte.tickets.incoming")).as("the second event waits behind the first, not on Kafka")
                    .noneMatch(Records.withHeader("ce_id", second));
            assertThat(status(queued)).as("not processed directly: Kafka answers, the relay brings it to the consumer")
                    .isEqualTo(404);

            String another = ticketId(post("not-queued", "Hopper"));
            kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", another), 1);
            assertThat(kafka.readAll("fte.tickets.incoming")).as("another customer's event did not wait for the relay")
                    .noneMatch(Records.withHeader("ce_id", second));
        } finally {
            routeBeans.kafkaCircuitBreaker().transitionToClosedState();
            camel.getRouteController().startRoute("outbox-relay");
        }

        ConsumerRecord<String, byte[]> firstRecord = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", first), 1).get(0);
        ConsumerRecord<String, byte[]> secondRecord = kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", second), 1).get(0);
        assertThat(secondRecord.key()).isEqualTo(firstRecord.key());
        assertThat(secondRecord.partition()).isEqualTo(firstRecord.partition());
        assertThat(secondRecord.offset()).as("one customer's events in the order they were accepted").isGreaterThan(firstRecord.offset());
        await().atMost(Duration.ofSeconds(30)).until(() -> status(queued) == 200);
        await().atMost(Duration.ofSeconds(30)).until(() -> healthStatus().equals("UP"));
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
        return post(correlationId, "Rosalind");
    }

    private HttpResponse<String> post(String correlationId, String customer) {
        return Http.post(url("/forms/support"), "application/json", """
                {"name":"%s","email":"%s@example.com","subject":"Photo 51","message":"Order status?"}""".formatted(customer, customer.toLowerCase()),
                "X-Correlation-ID", correlationId);
    }

    private static String ticketId(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return JSON.readTree(response.body()).get("ticketId").asText();
    }

    /** The HTTP status of the ticket's status URL: 200 once it is processed, 404 before. */
    private int status(HttpResponse<String> accepted) throws Exception {
        return Http.get(url(JSON.readTree(accepted.body()).get("statusUrl").asText())).statusCode();
    }

    private String healthStatus() throws Exception {
        return JSON.readTree(Http.get(managementUrl("/actuator/health"), MONITORING).body()).at("/components/kafka/status").asText();
    }

}
