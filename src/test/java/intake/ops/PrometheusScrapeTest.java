package intake.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.FreePorts;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus server scrapes this test's Intake with the monitoring user's credentials, as
 * the runbook's scrape configuration does, and loads the alert rules: a query for an Intake metric
 * returns Intake's series.
 */
class PrometheusScrapeTest extends IntakeIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Process prometheus;

    @Test
    void prometheusScrapesIntakeAndLoadsTheAlertRules() throws Exception {
        assertThat(Http.post(url("/forms/support"), "application/json", """
                {"name": "Ada Lovelace", "email": "ada.scrape@example.com", "subject": "Scraped", "message": "Seen?"}""")
                .statusCode()).isEqualTo(202);
        int port = FreePorts.free();
        String api = "http://127.0.0.1:" + port + "/api/v1/";
        start(port);

        JsonNode result = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> query(api, "intake_requests_accepted_total"), r -> !r.isEmpty());
        assertThat(result.get(0).path("metric").path("job").asText()).isEqualTo("intake");
        assertThat(result.get(0).path("metric").path("channel").asText()).isEqualTo("webform");
        assertThat(Double.parseDouble(result.get(0).path("value").get(1).asText())).isPositive();
        assertThat(query(api, "up").get(0).path("value").get(1).asText()).isEqualTo("1");

        JsonNode groups = JSON.readTree(Http.get(api + "rules").body()).path("data").path("groups");
        List<String> loaded = groups.findValues("rules").stream().flatMap(rules -> rules.findValuesAsText("name").stream()).toList();
        assertThat(loaded).containsExactlyInAnyOrderElementsOf(
                OpsFiles.alerts(AlertRulesTest.RULES).stream().map(a -> (String) a.get("alert")).toList());
        assertThat(groups.findValuesAsText("health")).containsOnly("ok");
    }

    private void start(int port) throws Exception {
        Path passwordFile = Files.writeString(dir.resolve("intake-password"), MONITORING.password());
        // the job name the alert IntakeInstanceDown expects
        Path config = Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: intake
                    metrics_path: /actuator/prometheus
                    basic_auth:
                      username: %s
                      password_file: %s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(AlertRulesTest.RULES.toAbsolutePath(), MONITORING.user(), passwordFile, managementPort));
        prometheus = new ProcessBuilder(OpsFiles.onPath("prometheus").toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(new File(dir.toFile(), "prometheus.log"))
                .start();
    }

    private static JsonNode query(String api, String promql) {
        String body = Http.get(api + "query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body();
        try {
            return JSON.readTree(body).path("data").path("result");
        } catch (Exception e) {
            throw new IllegalStateException(body, e);
        }
    }

    @AfterEach
    void stopPrometheus() throws Exception {
        if (prometheus == null) {
            return;
        }
        prometheus.destroy();
        if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
            prometheus.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        if (prometheus.exitValue() != 0) {
            System.err.println(Files.readString(dir.resolve("prometheus.log")));
        }
    }
}
