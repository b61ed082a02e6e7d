package intake.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The alert rules as Prometheus reads them: promtool checks them and runs their unit tests
 * (ops/prometheus/intake-alerts.test.yml), every alert has a test in which it fires, and every
 * runbook link names a section the runbook has.
 */
class AlertRulesTest {

    static final Path RULES = Path.of("ops/prometheus/intake-alerts.yml");
    static final Path RULE_TESTS = Path.of("ops/prometheus/intake-alerts.test.yml");
    static final Path RUNBOOK = Path.of("docs/runbook.md");

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Promtool.Result check = Promtool.run("check", "rules", RULES.toString());
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + OpsFiles.alerts(RULES).size() + " rules found");
    }

    @Test
    void everyAlertPassesItsUnitTests() throws Exception {
        Promtool.Result test = Promtool.run("test", "rules", RULE_TESTS.toString());
        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void everyAlertHasATestInWhichItFires() throws IOException {
        Set<String> firing = OpsFiles.yaml(RULE_TESTS).get("tests") instanceof List<?> tests ? tests.stream()
                .flatMap(t -> ((List<?>) ((Map<?, ?>) t).get("alert_rule_test")).stream())
                .map(Map.class::cast)
                .filter(a -> !((List<?>) a.get("exp_alerts")).isEmpty())
                .map(a -> (String) a.get("alertname"))
                .collect(Collectors.toSet()) : Set.of();
        assertThat(firing).containsAll(OpsFiles.alerts(RULES).stream().map(a -> (String) a.get("alert")).toList());
    }

    @Test
    void everyAlertLinksToASectionOfTheRunbook() throws IOException {
        Set<String> anchors = Files.readAllLines(RUNBOOK).stream().filter(l -> l.startsWith("#"))
                .map(AlertRulesTest::githubAnchor).collect(Collectors.toSet());
        for (Map<String, Object> alert : OpsFiles.alerts(RULES)) {
            @SuppressWarnings("unchecked")
            Map<String, Object> annotations = (Map<String, Object>) alert.get("annotations");
            assertThat(annotations.keySet()).as(alert.get("alert").toString()).contains("summary", "description", "runbook_url");
            String url = (String) annotations.get("runbook_url");
            assertThat(url).as(alert.get("alert").toString()).startsWith("docs/runbook.md#");
            assertThat(anchors).as(alert.get("alert") + " links to " + url).contains(url.substring(url.indexOf('#') + 1));
        }
    }

    /** The anchor GitHub gives a Markdown heading: lower case, punctuation but - and _ dropped, spaces as -. */
    static String githubAnchor(String heading) {
        return heading.replaceFirst("^#+\\s*", "").toLowerCase().replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** Debian's promtool (package prometheus), run in the project directory. */
    static final class Promtool {

        record Result(int exitCode, String output) {
        }

        static Result run(String... args) throws IOException, InterruptedException {
            Path promtool = OpsFiles.onPath("promtool");
            List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 60 s");
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
