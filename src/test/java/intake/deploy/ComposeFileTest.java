package intake.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml keeps the house rules (pinned tags, healthchecks, start order by health, no
 * {@code version:}), gives no secret a default, publishes ports on loopback only, and its Prometheus
 * scrapes Intake the way the application expects (the management port, as a monitoring user).
 */
class ComposeFileTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final String TEXT = ApplicationSettings.read(ROOT.resolve("docker-compose.yml"));
    static final Map<String, Object> COMPOSE = KubernetesManifestsTest.map(ApplicationSettings.yaml(ROOT.resolve("docker-compose.yml")));
    static final Pattern SECRET_NAME = KubernetesManifestsTest.SECRET_NAME;
    /** {@code ${NAME}}, {@code ${NAME:-default}}, {@code ${NAME-default}}, {@code ${NAME:?message}}. */
    static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)(?:(:?[-?])([^}]*))?}");

    @Test
    void everyServiceIsPinnedHealthCheckedAndStartedOnItsDependenciesHealth() {
        assertThat(COMPOSE).doesNotContainKey("version");
        services().forEach((name, service) -> {
            String image = String.valueOf(service.get("image"));
            String tag = image.substring(image.lastIndexOf('/') + 1);
            assertThat(tag).as(name + " image").contains(":");
            assertThat(tag.substring(tag.indexOf(':') + 1)).as(name + " tag").isNotBlank().isNotEqualTo("latest");
            assertThat(KubernetesManifestsTest.map(service.get("healthcheck"))).as(name).containsKey("test");
            Object dependsOn = service.get("depends_on");
            if (dependsOn != null) {
                KubernetesManifestsTest.map(dependsOn).forEach((dependency, condition) ->
                        assertThat(KubernetesManifestsTest.map(condition)).as(name + " on " + dependency)
                                .containsEntry("condition", "service_healthy"));
            }
        });
        assertThat(services()).containsKeys("kafka", "postgres", "intake", "prometheus", "grafana");
    }

    @Test
    void noSecretHasADefaultAndNoPortListensBeyondLoopback() {
        Matcher variable = VARIABLE.matcher(TEXT);
        while (variable.find()) {
            if (SECRET_NAME.matcher(variable.group(1)).find() && variable.group(2) != null && variable.group(2).endsWith("-")) {
                // an empty default leaves the channel's secret unset (and the channel off)
                assertThat(variable.group(3)).as(variable.group()).isEmpty();
            }
        }
        services().forEach((name, service) -> {
            Object environment = service.get("environment");
            if (environment != null) {
                KubernetesManifestsTest.map(environment).forEach((key, value) -> {
                    if (SECRET_NAME.matcher(key).find()) {
                        // from the operator's environment, never a value written here
                        assertThat(String.valueOf(value)).as(name + " " + key).containsPattern(VARIABLE);
                    }
                });
            }
            Object ports = service.get("ports");
            if (ports != null) {
                assertThat((List<?>) ports).as(name).allSatisfy(port -> assertThat(String.valueOf(port)).startsWith("127.0.0.1:"));
            }
        });
        assertThat(env("grafana", "GF_SECURITY_ADMIN_PASSWORD")).matches("\\$\\{GRAFANA_ADMIN_PASSWORD:\\?[^}]+}");
    }

    @Test
    void prometheusScrapesTheManagementPortAsAMonitoringUserAndLoadsTheAlertRules() {
        ApplicationSettings app = new ApplicationSettings(ROOT);
        Map<String, Object> prometheus = services().get("prometheus");
        assertThat(strings(prometheus.get("volumes"))).contains(
                "./ops/prometheus/prometheus-compose.yml:/etc/prometheus/prometheus.yml:ro",
                "./ops/prometheus/intake-alerts.yml:/etc/prometheus/rules/intake-alerts.yml:ro");
        assertThat(strings(services().get("grafana").get("volumes"))).contains(
                "./ops/grafana/provisioning:/etc/grafana/provisioning:ro",
                "./ops/grafana/dashboards:/var/lib/grafana/dashboards:ro");

        Map<String, Object> config = KubernetesManifestsTest.map(ApplicationSettings.yaml(ROOT.resolve("ops/prometheus/prometheus-compose.yml")));
        assertThat(strings(config.get("rule_files"))).containsExactly("/etc/prometheus/rules/*.yml");
        List<?> jobs = (List<?>) config.get("scrape_configs");
        assertThat(jobs).hasSize(1);
        Map<String, Object> job = KubernetesManifestsTest.map(jobs.get(0));
        String basePath = String.valueOf(app.properties.getOrDefault("management.endpoints.web.base-path", "/actuator"));
        assertThat(job).containsEntry("metrics_path", basePath + "/prometheus");
        Map<String, Object> targets = KubernetesManifestsTest.map(((List<?>) job.get("static_configs")).get(0));
        assertThat(strings(targets.get("targets")))
                .containsExactly("intake:" + app.placeholder("management.server.port").intDefault());

        // the user is one compose gives Intake, with the monitoring role
        Map<String, Object> auth = KubernetesManifestsTest.map(job.get("basic_auth"));
        String user = ApplicationSettings.envName(String.valueOf(auth.get("username")));
        assertThat(env("intake", "INTAKE_MANAGEMENT_USERS_" + user + "_ROLES")).isEqualTo("monitoring");
        // and its password is the file of the compose secret made from the variable Intake's user gets
        assertThat(auth).doesNotContainKey("password");
        String secret = String.valueOf(((List<?>) prometheus.get("secrets")).get(0));
        assertThat(auth).containsEntry("password_file", "/run/secrets/" + secret);
        String variable = String.valueOf(KubernetesManifestsTest.map(
                KubernetesManifestsTest.map(COMPOSE.get("secrets")).get(secret)).get("environment"));
        assertThat(env("intake", "INTAKE_MANAGEMENT_USERS_" + user + "_PASSWORD"))
                .startsWith("{noop}${" + variable + ":?");
    }

    static Map<String, Map<String, Object>> services() {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        KubernetesManifestsTest.map(COMPOSE.get("services"))
                .forEach((name, service) -> services.put(name, KubernetesManifestsTest.map(service)));
        return services;
    }

    static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(String::valueOf).toList();
    }

    static String env(String service, String name) {
        return String.valueOf(KubernetesManifestsTest.map(services().get(service).get("environment")).get(name));
    }
}
