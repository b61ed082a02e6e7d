package intake.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every metric the alert rules and the dashboard name is one Intake exposes: a renamed meter would
 * otherwise leave an alert that can never fire and an empty panel. Intake is made to emit the
 * meters that appear only once used (an accepted request, a refusal, a processed ticket, a dead letter).
 */
class ExposedMetricsTest extends IntakeIntegrationTest {

    static final Path DASHBOARD = Path.of("ops/grafana/dashboards/intake.json");

    /** Series Prometheus makes itself for every target, not Intake's. */
    static final Set<String> FROM_PROMETHEUS = Set.of("up");

    @Test
    void everyMetricTheRulesAndTheDashboardNameIsExposed() throws Exception {
        emitEveryMeter();

        Set<String> named = new TreeSet<>();
        for (Map<String, Object> alert : OpsFiles.alerts(AlertRulesTest.RULES)) {
            named.addAll(PromqlMetricNames.of((String) alert.get("expr")));
        }
        Set<String> fromDashboard = dashboardExprs().stream().flatMap(e -> PromqlMetricNames.of(e).stream()).collect(Collectors.toSet());
        named.addAll(fromDashboard);
        named.removeAll(FROM_PROMETHEUS);
        // the extractor found what it should: a few names each file is known to use
        assertThat(named).contains("kafka_bypass_active", "intake_consumer_lag_records", "http_server_requests_seconds_bucket");
        assertThat(fromDashboard).contains("intake_requests_accepted_total", "intake_outbox_relayed_total");

        Set<String> exposed = exposedNames(prometheus());
        assertThat(named.stream().filter(n -> !exposed.contains(n)).toList())
                .as("metrics the rules or the dashboard name that /actuator/prometheus does not expose").isEmpty();
    }

    @Test
    void theConsumerLagIsMeasured() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(metric("intake_consumer_lag_records", "")).isNotNaN().isGreaterThanOrEqualTo(0));
    }

    /** An accepted form (processed by the consumer), a refused one, a poison pill for the dead-letter topic. */
    private void emitEveryMeter() {
        HttpResponse<String> accepted = Http.post(url("/forms/support"), "application/json", """
                {"name": "Ada Lovelace", "email": "ada.metrics@example.com", "subject": "Metrics", "message": "Counted?"}""");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        HttpResponse<String> refused = Http.post(url("/forms/support"), "application/json", "{\"name\": \" \"}");
        assertThat(refused.statusCode()).isEqualTo(422);
        kafka.send("fte.tickets.incoming", "metrics@example.com".getBytes(StandardCharsets.UTF_8),
                "not a ticket".getBytes(StandardCharsets.UTF_8), Map.of("intake_correlation_id", "metrics-poison"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(metric("kafka_dlq_messages_total", "reason=\"poison_pill\"")).isPositive();
            assertThat(metric("kafka_messages_processed_total", "status=\"processed\"")).isPositive();
        });
    }

    static java.util.List<String> dashboardExprs() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        return dashboard.path("panels").findValues("targets").stream()
                .flatMap(targets -> java.util.stream.StreamSupport.stream(targets.spliterator(), false))
                .map(t -> t.path("expr").asText())
                .toList();
    }

    /** The sample names of a Prometheus text exposition: a histogram shows as its _bucket, _count, _sum and _max. */
    static Set<String> exposedNames(String exposition) {
        return exposition.lines().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.split("[{ ]", 2)[0])
                .collect(Collectors.toSet());
    }
}
