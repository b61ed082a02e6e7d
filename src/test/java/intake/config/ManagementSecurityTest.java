package intake.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.TestKafka;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.TestPropertySource;

/**
 * Operators authenticate on the management port (HTTP Basic, users and roles from
 * intake.management.users), the probes stay open, and the public port answers as before.
 */
@ExtendWith(OutputCaptureExtension.class)
@TestPropertySource(properties = {
        "intake.consumer.dlq.replay-max-records=" + ManagementSecurityTest.MAX_RECORDS,
        // test-bcrypt-password, hashed
        "intake.management.users.test-bcrypt.password={bcrypt}$2a$10$9cxj7ePVgiOH6l5DsrOG6uOTmpzpbowAQ6C8mxXVfFTRBk7Pi51f.",
        "intake.management.users.test-bcrypt.roles=monitoring"})
class ManagementSecurityTest extends IntakeIntegrationTest {

    static final int MAX_RECORDS = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Http.Credentials WRONG_PASSWORD = new Http.Credentials("test-operator", "not-the-password");
    private static final Http.Credentials UNKNOWN_USER = new Http.Credentials("mallory", "test-operator-password");

    @Test
    void withoutCredentialsEveryEndpointButTheProbesAnswers401Json() throws Exception {
        for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator/metrics", "/actuator/ticketconsumer",
                "/actuator/tickets/any-ticket", "/actuator/dlqreplay/any-replay", "/actuator")) {
            assertError(Http.get(managementUrl(path)), 401, "unauthorized", "HTTP Basic credentials");
        }
        assertError(Http.post(managementUrl("/actuator/dlqreplay"), "application/json", "{}"), 401, "unauthorized", "HTTP Basic credentials");
        assertError(Http.post(managementUrl("/actuator/ticketconsumer"), "application/json", "{}"), 401, "unauthorized", "HTTP Basic credentials");
        assertThat(Http.get(managementUrl("/actuator/health")).headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                value -> assertThat(value).startsWith("Basic realm="));
    }

    @Test
    void aWrongPasswordOrAnUnknownUserIs401() throws Exception {
        assertError(Http.get(managementUrl("/actuator/prometheus"), WRONG_PASSWORD), 401, "unauthorized", "Wrong user name or password");
        assertError(Http.get(managementUrl("/actuator/prometheus"), UNKNOWN_USER), 401, "unauthorized", "Wrong user name or password");
        assertError(Http.postJson(managementUrl("/actuator/dlqreplay"), "{}", WRONG_PASSWORD), 401, "unauthorized",
                "Wrong user name or password");
    }

    @Test
    void theProbesNeedNoCredentials() {
        assertThat(Http.get(managementUrl("/actuator/health/liveness")).statusCode()).isEqualTo(200);
        HttpResponse<String> readiness = Http.get(managementUrl("/actuator/health/readiness"));
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"");
    }

    @Test
    void aMonitoringUserReadsButMayNotReplayOrResume() throws Exception {
        HttpResponse<String> health = Http.get(managementUrl("/actuator/health"), MONITORING);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).at("/components/kafka/details/circuitBreaker").asText()).isEqualTo("CLOSED");
        HttpResponse<String> prometheus = Http.get(managementUrl("/actuator/prometheus"), MONITORING);
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body()).contains("kafka_bypass_active");
        assertThat(Http.get(managementUrl("/actuator/metrics"), MONITORING).body()).contains("kafka.bypass.active");
        assertThat(JSON.readTree(Http.get(managementUrl("/actuator/ticketconsumer"), MONITORING).body()).get("stopped").asBoolean()).isFalse();

        assertError(Http.postJson(managementUrl("/actuator/dlqreplay"), "{}", MONITORING), 403, "forbidden", "test-monitoring may not POST");
        assertError(Http.postJson(managementUrl("/actuator/ticketconsumer"), "{}", MONITORING), 403, "forbidden", "operator role");
    }

    @Test
    void aUserWithABcryptPasswordSignsIn() {
        Http.Credentials bcrypt = new Http.Credentials("test-bcrypt", "test-bcrypt-password");
        assertThat(Http.get(managementUrl("/actuator/prometheus"), bcrypt).statusCode()).isEqualTo(200);
        assertThat(Http.get(managementUrl("/actuator/prometheus"), new Http.Credentials("test-bcrypt", "wrong")).statusCode()).isEqualTo(401);
    }

    @Test
    void operatorsReadAnyProcessedTicketWithoutItsToken() throws Exception {
        String ticketId = JSON.readTree(Http.post(url("/forms/support"), "application/json", """
                {"name":"Ada","email":"ops.reads.ticket@example.com","subject":"Refund","message":"I want my money back."}""")
                .body()).get("ticketId").asText();

        HttpResponse<String> ticket = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.get(managementUrl("/actuator/tickets/" + ticketId), MONITORING), r -> r.statusCode() == 200);
        JsonNode body = JSON.readTree(ticket.body());
        assertThat(body.get("ticketId").asText()).isEqualTo(ticketId);
        assertThat(body.get("status").asText()).isEqualTo("processed");
        assertThat(body.get("channel").asText()).isEqualTo("webform");
        assertThat(Http.get(managementUrl("/actuator/tickets/" + ticketId), OPERATOR).statusCode()).isEqualTo(200);

        assertError(Http.get(managementUrl("/actuator/tickets/no-such-ticket"), MONITORING), 404, "not_found", "no-such-ticket");
    }

    @Test
    void thePublicPortAnswersAsBeforeWithoutSecurity() {
        HttpResponse<String> form = Http.post(url("/forms/support"), "application/x-www-form-urlencoded", Http.form(Map.of(
                "name", "Grace", "email", "public.port@example.com", "subject", "Login", "message", "I cannot log in.")));
        assertThat(form.statusCode()).as(form.body()).isEqualTo(202);
        // Spring Security's header writer would have added these, had its filter run here
        assertThat(form.headers().firstValue("X-Frame-Options")).isEmpty();
        assertThat(form.headers().firstValue("Cache-Control")).isEmpty();

        // Spring Security's firewall, had its filter run here, would refuse a ';' in the path with 400
        HttpResponse<String> pathParameter = Http.post(url("/forms/support;v=1"), "application/json", """
                {"name":"Grace","email":"public.port@example.com","subject":"Login","message":"I cannot log in."}""");
        assertThat(pathParameter.statusCode()).as(pathParameter.body()).isEqualTo(202);

        HttpResponse<String> actuator = Http.get(url("/actuator/health"));
        assertThat(actuator.statusCode()).isEqualTo(404);
        assertThat(actuator.body()).doesNotContain("UP", "components");
        assertThat(Http.get(url("/actuator/health"), OPERATOR.header()).statusCode()).isEqualTo(404);
    }

    @Test
    void aReplayIsBoundedAsynchronousAndLogsWhoAskedForIt(CapturedOutput output) throws Exception {
        String target = "replay-bound-target";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(target, 1, (short) 1))).all().get();
        }
        int records = MAX_RECORDS + 2;
        RecordMetadata first = null;
        for (int i = 0; i < records; i++) {
            RecordMetadata sent = kafka.send("fte.dlq", "replay-bound".getBytes(StandardCharsets.UTF_8),
                    ("record-" + i).getBytes(StandardCharsets.UTF_8),
                    Map.of("dlq_original_topic", target, "intake_correlation_id", "replay-bound-" + i));
            first = first == null ? sent : first;
        }
        int partition = first.partition();
        long from = first.offset();

        HttpResponse<String> started = Http.postJson(managementUrl("/actuator/dlqreplay"),
                "{\"partition\": " + partition + ", \"fromOffset\": " + from + "}", OPERATOR);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode replay = JSON.readTree(started.body());
        String id = replay.get("replayId").asText();
        assertThat(replay.get("statusUrl").asText()).isEqualTo("/actuator/dlqreplay/" + id);
        // the first replay is still connecting to the broker: one replay at a time
        HttpResponse<String> second = Http.postJson(managementUrl("/actuator/dlqreplay"), "{}", OPERATOR);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(JSON.readTree(second.body()).get("replayId").asText()).isEqualTo(id);

        JsonNode done = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(
                () -> JSON.readTree(Http.get(managementUrl("/actuator/dlqreplay/" + id), MONITORING).body()),
                status -> !"running".equals(status.get("state").asText()));
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("done");
        assertThat(done.get("requestedBy").asText()).isEqualTo("test-operator");
        assertThat(done.at("/result/replayed").asInt()).isEqualTo(MAX_RECORDS);
        assertThat(done.at("/result/limitReached").asBoolean()).isTrue();
        assertThat(done.at("/result/nextOffsets/" + partition).asLong()).isEqualTo(from + MAX_RECORDS);
        assertThat(done.get("message").asText()).contains("intake.consumer.dlq.replay-max-records (3)");
        assertThat(kafka.awaitRecords(target, r -> true, MAX_RECORDS)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("record-0", "record-1", "record-2");

        JsonNode rest = replayDeadLetters("{\"partition\": " + partition + ", \"fromOffset\": " + (from + MAX_RECORDS) + "}");
        assertThat(rest.at("/result/replayed").asInt()).isEqualTo(records - MAX_RECORDS);
        assertThat(rest.at("/result/limitReached").asBoolean()).isFalse();
        assertThat(rest.at("/result/nextOffsets").isEmpty()).isTrue();
        assertThat(kafka.awaitRecords(target, r -> true, records)).extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                .containsExactly("record-0", "record-1", "record-2", "record-3", "record-4");
        assertThat(kafka.readAll(target)).allSatisfy(r -> assertThat(r.headers().toArray()).noneMatch(h -> h.key().startsWith("dlq_")));

        assertThat(output.getOut()).contains("Dead-letter replay " + id + " started by test-operator: partition " + partition,
                "Dead-letter replay " + id + " by test-operator done: 3 replayed");
    }

    @Test
    void aResumeIsLoggedWithTheOperatorsName(CapturedOutput output) throws Exception {
        HttpResponse<String> resumed = Http.postJson(managementUrl("/actuator/ticketconsumer"), "{}", OPERATOR);

        assertThat(resumed.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(resumed.body()).get("stopped").asBoolean()).isFalse();
        assertThat(output.getOut()).contains("Ticket consumer resume requested by test-operator");
    }

    private static void assertError(HttpResponse<String> response, int status, String error, String messagePart) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("error").asText()).isEqualTo(error);
        assertThat(body.get("message").asText()).contains(messagePart);
        if (status == 401 || status == 403) {
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
    }
}
