package intake.consumer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static intake.consumer.TicketProcessingTest.json;
import static intake.consumer.TicketProcessingTest.ticket;
import static intake.testing.Records.bytes;
import static intake.testing.Records.header;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.ticket.TicketEvent;
import intake.wiring.RouteBeans;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The consumer side with an external HTTP agent service (WireMock stands in for that third-party
 * service): transient failures are redelivered, permanent ones dead-lettered at once, a
 * dead-lettered ticket comes back through processing when replayed, and a ticket the agent could
 * not decide in bypass mode is decided by the consumer once the outbox is relayed.
 */
class HttpAgentProcessingTest extends IntakeIntegrationTest {

    private static final WireMockServer AGENT = startAgent();
    private static final String DECIDE = "/v1/decide";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    CamelContext camel;

    @Autowired
    RouteBeans routeBeans;

    @DynamicPropertySource
    static void httpAgent(DynamicPropertyRegistry registry) {
        registry.add("intake.agent.type", () -> "http");
        registry.add("intake.agent.http.url", () -> AGENT.baseUrl() + DECIDE);
        registry.add("intake.agent.http.timeout", () -> "2s");
    }

    @AfterAll
    static void stopAgent() {
        AGENT.stop();
    }

    @Test
    void aTransientFailureThatHealsWithinTheRetriesIsProcessedOnce() {
        String customer = "heals@example.com";
        AGENT.stubFor(forCustomer(customer).inScenario(customer).whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("failed once"));
        AGENT.stubFor(forCustomer(customer).inScenario(customer).whenScenarioStateIs("failed once")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("failed twice"));
        AGENT.stubFor(forCustomer(customer).inScenario(customer).whenScenarioStateIs("failed twice").willReturn(decision()));
        TicketEvent ticket = ticket(customer, "My invoice is wrong");

        kafka.send("fte.tickets.incoming", customer.getBytes(StandardCharsets.UTF_8), bytes(ticket), Map.of());

        kafka.awaitRecords("fte.agent.decisions", r -> json(r).path("ticketId").asText().equals(ticket.getTicketId().toString()), 1);
        AGENT.verify(3, postRequestedFor(urlEqualTo(DECIDE)).withRequestBody(matchingJsonPath("$.customerId", equalTo(customer))));
        assertThat(kafka.readAll("fte.dlq").stream().filter(r -> customer.equals(r.key()))).isEmpty();
    }

    @Test
    void aTransientFailureThatDoesNotHealIsDeadLetteredAfterExactlyTheConfiguredAttempts() {
        String customer = "never.heals@example.com";
        AGENT.stubFor(forCustomer(customer).willReturn(aResponse().withStatus(503).withBody("overloaded")));
        TicketEvent ticket = ticket(customer, "Hello?");

        kafka.send("fte.tickets.incoming", customer.getBytes(StandardCharsets.UTF_8), bytes(ticket), Map.of("intake_correlation_id", "exhausted-1"));

        ConsumerRecord<String, byte[]> dead = kafka.awaitRecords("fte.dlq", Records.withHeader("dlq_correlation_id", "exhausted-1"), 1).get(0);
        assertThat(header(dead, "dlq_reason")).isEqualTo("retries_exhausted");
        assertThat(header(dead, "dlq_redelivery_count")).isEqualTo("5");
        assertThat(header(dead, "dlq_exception_class")).isEqualTo("intake.agent.AgentUnavailableException");
        // one delivery and five redeliveries
        AGENT.verify(6, postRequestedFor(urlEqualTo(DECIDE)).withRequestBody(matchingJsonPath("$.customerId", equalTo(customer))));
    }

    @Test
    void aRejectedTicketIsDeadLetteredAtOnceAndProcessedWhenReplayedAfterTheFix() throws Exception {
        String customer = "rejected.then.fixed@example.com";
        AGENT.stubFor(forCustomer(customer).willReturn(aResponse().withStatus(422).withBody("{\"error\":\"unsupported language\"}")));
        TicketEvent ticket = ticket(customer, "Bonjour");
        String ticketId = ticket.getTicketId().toString();

        kafka.send("fte.tickets.incoming", customer.getBytes(StandardCharsets.UTF_8), bytes(ticket), Map.of("intake_correlation_id", "rejected-1"));
        ConsumerRecord<String, byte[]> dead = kafka.awaitRecords("fte.dlq", Records.withHeader("dlq_correlation_id", "rejected-1"), 1).get(0);
        assertThat(header(dead, "dlq_reason")).isEqualTo("agent_rejected");
        assertThat(header(dead, "dlq_redelivery_count")).isEqualTo("0");
        AGENT.verify(1, postRequestedFor(urlEqualTo(DECIDE)).withRequestBody(matchingJsonPath("$.customerId", equalTo(customer))));
        // sent straight to Kafka, so no 202 carried its status URL: made here as Intake makes it
        String statusUrl = url(routeBeans.statusTokens().statusUrl(ticketId));
        assertThat(Http.get(statusUrl).statusCode()).isEqualTo(404);

        AGENT.stubFor(forCustomer(customer).willReturn(decision()));
        JsonNode replay = replayDeadLetters(
                "{\"partition\": " + dead.partition() + ", \"fromOffset\": " + dead.offset() + ", \"toOffset\": " + dead.offset() + "}");

        assertThat(replay.at("/result/replayed").asInt()).isEqualTo(1);
        assertThat(replay.at("/result/byTopic/fte.tickets.incoming").asInt()).isEqualTo(1);
        ConsumerRecord<String, byte[]> replayed = kafka.awaitRecords("fte.tickets.incoming",
                r -> "rejected-1".equals(header(r, "intake_correlation_id")), 2).get(1);
        assertThat(replayed.headers().toArray()).noneMatch(h -> h.key().startsWith("dlq_"));
        assertThat(replayed.key()).isEqualTo(customer);
        kafka.awaitRecords("fte.agent.decisions", r -> json(r).path("ticketId").asText().equals(ticketId), 1);
        assertThat(Http.get(statusUrl).statusCode()).isEqualTo(200);
    }

    @Test
    void aTicketTheBypassCouldNotProcessIsProcessedByTheConsumerOnceRelayed() throws Exception {
        String customer = "bypass.agent.down@example.com";
        AGENT.stubFor(forCustomer(customer).inScenario(customer).whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("back"));
        AGENT.stubFor(forCustomer(customer).inScenario(customer).whenScenarioStateIs("back").willReturn(decision()));
        camel.getRouteController().stopRoute("outbox-relay");
        String ticketId;
        String statusUrl;
        try {
            routeBeans.kafkaCircuitBreaker().transitionToForcedOpenState(); // Kafka out, as far as Intake can tell
            HttpResponse<String> accepted = Http.post(url("/forms/support"), "application/json", """
                    {"name":"Grace","email":"%s","subject":"Refund","message":"Where is my refund?"}""".formatted(customer));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            ticketId = JSON.readTree(accepted.body()).get("ticketId").asText();
            statusUrl = url(JSON.readTree(accepted.body()).get("statusUrl").asText());
            // the bypass asked the agent, which failed: not processed, and not claimed either
            AGENT.verify(1, postRequestedFor(urlEqualTo(DECIDE)).withRequestBody(matchingJsonPath("$.customerId", equalTo(customer))));
            assertThat(Http.get(statusUrl).statusCode()).isEqualTo(404);
        } finally {
            routeBeans.kafkaCircuitBreaker().transitionToClosedState();
            camel.getRouteController().startRoute("outbox-relay");
        }

        String id = ticketId;
        kafka.awaitRecords("fte.agent.decisions", r -> json(r).path("ticketId").asText().equals(id), 1);
        AGENT.verify(2, postRequestedFor(urlEqualTo(DECIDE)).withRequestBody(matchingJsonPath("$.customerId", equalTo(customer))));
        assertThat(Http.get(statusUrl).statusCode()).isEqualTo(200);
    }

    private static MappingBuilder forCustomer(String customer) {
        return post(urlEqualTo(DECIDE)).withRequestBody(matchingJsonPath("$.customerId", equalTo(customer)));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder decision() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withTransformers("response-template")
                .withBody("""
                        {"ticketId": "{{jsonPath request.body '$.ticketId'}}", "customerId": "{{jsonPath request.body '$.customerId'}}",
                         "agent": "http", "category": "billing", "priority": "normal", "escalate": false,
                         "escalationReasons": [], "reply": "We are on it."}""");
    }

    private static WireMockServer startAgent() {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        return server;
    }
}
