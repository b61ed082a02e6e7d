package intake.ops;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.Yaml;

/** Reads the files under ops/ and finds the Prometheus binaries the ops tests run. */
final class OpsFiles {

    private OpsFiles() {
    }

    static Map<String, Object> yaml(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml().load(reader);
        }
    }

    /** Every alerting rule of a rules file, across its groups. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alerts(Path rules) throws IOException {
        return ((List<Map<String, Object>>) yaml(rules).get("groups")).stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream())
                .filter(r -> r.containsKey("alert"))
                .toList();
    }

    /** A program on the PATH; its absence fails the test, since these tests are part of the build. */
    static Path onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, program))
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new AssertionError(program + " is not on the PATH: apt-get install prometheus"
                        + " (Debian's package ships prometheus and promtool; .ci/run installs it)"));
    }
}
