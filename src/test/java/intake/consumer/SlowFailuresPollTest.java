package intake.consumer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static intake.testing.Records.bytes;
import static intake.consumer.TicketProcessingTest.ticket;
import static intake.testing.Records.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import intake.testing.IntakeIntegrationTest;
import intake.ticket.TicketEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One customer's tickets failing as slowly as the agent's timeout lets them, for longer in all
 * than max.poll.interval.ms: the poll budget keeps each batch within half the interval, so the consumer
 * thread stays in its group and every ticket is dead-lettered exactly once (a thread dropped from
 * its group has its partition read again elsewhere while it still works on it: each ticket twice).
 */
class SlowFailuresPollTest extends IntakeIntegrationTest {

    /** An agent service that answers too late, every time (WireMock stands in for that third-party service). */
    private static final WireMockServer AGENT = startAgent();
    private static final int TICKETS = 26;

    @DynamicPropertySource
    static void slowAgentAndShortPollInterval(DynamicPropertyRegistry registry) {
        registry.add("intake.agent.type", () -> "http");
        registry.add("intake.agent.http.url", () -> AGENT.baseUrl() + "/v1/decide");
        registry.add("intake.agent.http.timeout", () -> "1s");
        registry.add("intake.consumer.redelivery.maximum-redeliveries", () -> 1);
        registry.add("spring.datasource.hikari.connection-timeout", () -> 250);
        registry.add("intake.consumer.dedup.claim-lease", () -> "2s");
        // the worst case of one record is then 23.62 s (the start-up log says so: 2 attempts x 7.95 s,
        // the claim wait and its 4 database steps): it fits in a batch's half of 48 s, while the 26
        // tickets below, in one poll, take at least 52 s (2 agent timeouts each): the batch must stop
        // in time, and the rest of the poll be read again
        registry.add("intake.consumer.max-poll-interval-ms", () -> 48_000);
        registry.add("intake.consumer.max-poll-records", () -> TICKETS);
    }

    @AfterAll
    static void stopAgent() {
        AGENT.stop();
    }

    @Test
    void ticketsFailingForLongerThanThePollIntervalAreEachDeadLetteredOnce() {
        String customer = "slow.agent@example.com";
        List<String> correlationIds = IntStream.range(0, TICKETS).mapToObj(i -> "slow-poll-" + i).toList();
        for (String correlationId : correlationIds) {
            TicketEvent ticket = ticket(customer, "Is anyone there?");
            kafka.send("fte.tickets.incoming", customer.getBytes(StandardCharsets.UTF_8), bytes(ticket),
                    Map.of("intake_correlation_id", correlationId));
        }

        await("the " + TICKETS + " tickets' dead-letter records").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                .until(() -> deadLettered(correlationIds).size(), n -> n >= TICKETS);
        await("no second copy, from a partition read again after a rebalance").during(Duration.ofSeconds(3))
                .atMost(Duration.ofSeconds(10)).until(() -> deadLettered(correlationIds).size(), n -> n == TICKETS);
        List<ConsumerRecord<String, byte[]>> dead = deadLettered(correlationIds);
        Set<String> distinct = new HashSet<>();
        dead.forEach(r -> distinct.add(header(r, "dlq_correlation_id")));
        assertThat(distinct).containsExactlyInAnyOrderElementsOf(correlationIds);
        assertThat(dead).allSatisfy(r -> {
            assertThat(header(r, "dlq_reason")).isEqualTo("retries_exhausted");
            assertThat(header(r, "dlq_exception_class")).isEqualTo("intake.agent.AgentUnavailableException");
        });
    }

    private List<ConsumerRecord<String, byte[]>> deadLettered(List<String> correlationIds) {
        return kafka.readAll("fte.dlq").stream().filter(r -> correlationIds.contains(header(r, "dlq_correlation_id"))).toList();
    }

    private static WireMockServer startAgent() {
        WireMockServer server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        server.stubFor(post(urlEqualTo("/v1/decide")).willReturn(aResponse().withStatus(200).withFixedDelay(1_500)));
        return server;
    }
}
