package intake.agent;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import intake.ticket.AgentDecision;
import intake.ticket.TicketEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP agent against a real HTTP server (WireMock on loopback): request, decision, every failure class. */
class HttpAgentTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private WireMockServer server;
    private URI url;
    private final TicketEvent ticket = TestTickets.ticketWithAttachment();
    private final String ticketId = ticket.getTicketId().toString();

    @BeforeEach
    void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        url = URI.create("http://127.0.0.1:" + server.port() + "/v1/decide");
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    private HttpAgent agent() {
        return new HttpAgent(url, TIMEOUT, "s3cret-token");
    }

    private void answer(int status, String body) {
        server.stubFor(post(urlEqualTo("/v1/decide"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                        .withBody(body)));
    }

    private static String decisionJson(String ticketId) {
        return """
                {"ticketId":"%s","customerId":"+14155550100","agent":"gpt-desk","category":"billing",
                 "priority":"high","escalate":true,"escalationReasons":["double_charge"],
                 "reply":"Hello, we are looking into it.","confidence":0.93}
                """.formatted(ticketId);
    }

    @Test
    void postsTheTicketAsJsonAndReadsTheDecisionBack() {
        server.stubFor(post(urlEqualTo("/v1/decide")).willReturn(okJson(decisionJson(ticketId))));

        AgentDecision decision = agent().decide(ticket);

        assertThat(decision).isEqualTo(new AgentDecision(ticketId, "+14155550100", "gpt-desk", "billing", "high",
                true, List.of("double_charge"), "Hello, we are looking into it."));
        server.verify(1, postRequestedFor(urlEqualTo("/v1/decide"))
                .withHeader("Content-Type", equalTo("application/json"))
                .withHeader("Accept", equalTo("application/json"))
                .withHeader("Authorization", equalTo("Bearer s3cret-token"))
                .withRequestBody(matchingJsonPath("$.ticketId", equalTo(ticketId)))
                .withRequestBody(matchingJsonPath("$.channel", equalTo("whatsapp")))
                .withRequestBody(matchingJsonPath("$.source", equalTo("twilio")))
                .withRequestBody(matchingJsonPath("$.customerId", equalTo("+14155550100")))
                .withRequestBody(matchingJsonPath("$.body", equalTo("I was charged twice.")))
                .withRequestBody(matchingJsonPath("$.receivedAt", equalTo("2025-06-09T10:15:30Z")))
                .withRequestBody(matchingJsonPath("$.correlationId", equalTo("corr-42")))
                .withRequestBody(matchingJsonPath("$.attachments[0].name", equalTo("invoice.pdf")))
                .withRequestBody(matchingJsonPath("$.attachments[0].contentType", equalTo("application/pdf")))
                .withRequestBody(matchingJsonPath("$.attachments[0].sizeBytes", equalTo("1234")))
                .withRequestBody(matchingJsonPath("$.details.orderNumber", equalTo("A-1001")))
                .withRequestBody(equalToJson(TicketJson.toJson(ticket))));
    }

    @Test
    void withoutATokenThereIsNoAuthorizationHeaderAndAMissingAgentNameIsHttp() {
        server.stubFor(post(urlEqualTo("/v1/decide")).willReturn(okJson("""
                {"category":"general","priority":"low","escalate":false,"reply":"Thanks!"}
                """)));

        AgentDecision decision = new HttpAgent(url, TIMEOUT, " ").decide(ticket);

        assertThat(decision.agent()).isEqualTo("http");
        assertThat(decision.ticketId()).isEqualTo(ticketId);
        assertThat(decision.customerId()).isEqualTo("+14155550100");
        assertThat(decision.escalationReasons()).isEmpty();
        server.verify(postRequestedFor(urlEqualTo("/v1/decide")).withoutHeader("Authorization"));
    }

    @ParameterizedTest(name = "HTTP {0} is permanent")
    @ValueSource(ints = {400, 403, 404, 413, 422})
    void aClientErrorRejectsTheTicket(int status) {
        answer(status, "{\"error\":\"ticket body is empty\"}");
        HttpAgent agent = agent();
        assertThatThrownBy(() -> agent.decide(ticket))
                .isInstanceOfSatisfying(AgentRejectedTicketException.class, e -> {
                    assertThat(e.getAgent()).isEqualTo("http");
                    assertThat(e.getTicketId()).isEqualTo(ticketId);
                    assertThat(e.getReason()).startsWith("HTTP " + status + " from http://127.0.0.1:");
                    assertThat(e.getMessage())
                            .startsWith("Agent 'http' rejected ticket " + ticketId + ": HTTP " + status)
                            .contains("ticket body is empty");
                });
    }

    @ParameterizedTest(name = "HTTP {0} is transient")
    @ValueSource(ints = {408, 429, 500, 502, 503, 504, 302})
    void aServerErrorOrThrottlingIsTransient(int status) {
        answer(status, "try later");
        HttpAgent agent = agent();
        assertThatThrownBy(() -> agent.decide(ticket))
                .isInstanceOfSatisfying(AgentUnavailableException.class, e -> {
                    assertThat(e.getAgent()).isEqualTo("http");
                    assertThat(e.getTicketId()).isEqualTo(ticketId);
                    assertThat(e.getMessage()).startsWith("Agent 'http' is unavailable for ticket " + ticketId
                            + ": HTTP " + status).contains("try later");
                });
    }

    @Test
    void anAnswerSlowerThanTheTimeoutIsTransient() {
        server.stubFor(post(urlEqualTo("/v1/decide"))
                .willReturn(okJson(decisionJson(ticketId)).withFixedDelay(3_000)));
        HttpAgent agent = new HttpAgent(url, Duration.ofMillis(300), null);

        long started = System.nanoTime();
        assertThatThrownBy(() -> agent.decide(ticket))
                .isInstanceOf(AgentUnavailableException.class)
                .hasMessageContaining("timed out after 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_000));
    }

    @Test
    void aBodyTricklingInBeyondTheTimeoutIsTransient() {
        server.stubFor(post(urlEqualTo("/v1/decide"))
                .willReturn(okJson(decisionJson(ticketId)).withChunkedDribbleDelay(10, 3_000)));
        HttpAgent agent = new HttpAgent(url, Duration.ofMillis(500), null);

        long started = System.nanoTime();
        assertThatThrownBy(() -> agent.decide(ticket))
                .isInstanceOf(AgentUnavailableException.class)
                .hasMessageContaining("timed out after 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
            "not json at all",
            "",
            "{\"category\":\"billing\",\"priority\":\"high\",\"escalate\":false,\"reply\":\"r\"} trailing",
            "[\"billing\"]",
            "{\"category\":\"shipping\",\"priority\":\"high\",\"escalate\":false,\"reply\":\"r\"}",
            "{\"category\":\"billing\",\"priority\":\"critical\",\"escalate\":false,\"reply\":\"r\"}",
            "{\"category\":\"billing\",\"priority\":\"high\",\"reply\":\"r\"}",
            "{\"category\":\"billing\",\"priority\":\"high\",\"escalate\":\"yes\",\"reply\":\"r\"}",
            "{\"category\":\"billing\",\"priority\":\"high\",\"escalate\":false}",
            "{\"category\":\"billing\",\"priority\":\"high\",\"escalate\":true,"
                    + "\"escalationReasons\":\"legal\",\"reply\":\"r\"}",
            "{\"ticketId\":\"00000000-0000-0000-0000-000000000000\",\"category\":\"billing\",\"priority\":\"high\","
                    + "\"escalate\":false,\"reply\":\"r\"}",
    })
    void aMalformedAnswerIsTransient(String body) {
        answer(200, body);
        HttpAgent agent = agent();
        assertThatThrownBy(() -> agent.decide(ticket))
                .isInstanceOf(AgentUnavailableException.class)
                .hasMessageContaining("malformed answer (HTTP 200)");
    }

    @Test
    void aMalformedAnswerSaysWhatIsWrong() {
        answer(200, "{\"category\":\"shipping\",\"priority\":\"high\",\"escalate\":false,\"reply\":\"r\"}");
        HttpAgent agent = agent();
        assertThatThrownBy(() -> agent.decide(ticket))
                .hasMessageContaining("'category' must be one of [billing, technical, account, general],"
                        + " was 'shipping'");
    }

    @Test
    void aRefusedConnectionIsTransient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        HttpAgent agent = new HttpAgent(URI.create("http://127.0.0.1:" + closedPort + "/v1/decide"), TIMEOUT, null);
        assertThatThrownBy(() -> agent.decide(ticket))
                .isInstanceOfSatisfying(AgentUnavailableException.class, e -> {
                    assertThat(e.getMessage()).contains("could not connect to http://127.0.0.1:" + closedPort);
                    assertThat(e.getCause()).isInstanceOf(ConnectException.class);
                });
    }

    @Test
    void messagesNeverShowCredentialsFromTheUrl() {
        server.stubFor(post(urlPathEqualTo("/v1/decide")).willReturn(aResponse().withStatus(503)));
        HttpAgent agent = new HttpAgent(URI.create("http://user:pw@127.0.0.1:" + server.port() + "/v1/decide?key=k3y"),
                TIMEOUT, null);
        assertThatThrownBy(() -> agent.decide(ticket))
                .isInstanceOf(AgentUnavailableException.class)
                .hasMessageContaining("HTTP 503 from http://127.0.0.1:" + server.port() + "/v1/decide")
                .hasMessageNotContaining("pw")
                .hasMessageNotContaining("k3y");
    }

    @Test
    void aWrongConfigurationFailsAtConstruction() {
        assertThatThrownBy(() -> new HttpAgent(URI.create("/v1/decide"), TIMEOUT, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute http or https URL");
        assertThatThrownBy(() -> new HttpAgent(URI.create("ftp://agent.internal/decide"), TIMEOUT, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absolute http or https URL");
        assertThatThrownBy(() -> new HttpAgent(url, Duration.ZERO, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout must be positive");
        assertThat(new HttpAgent(url, TIMEOUT, null).name()).isEqualTo("http");
    }
}
