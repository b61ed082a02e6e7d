package intake.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What the application reads, taken from its own files (application.yaml, the routes' placeholders,
 * bin/intake, the Dockerfile), so that the deployment files are checked against them, never against
 * a second copy of the same numbers.
 */
final class ApplicationSettings {

    /** {@code ${NAME}} or {@code ${NAME:default}} in application.yaml. */
    private static final Pattern ENV_PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");
    /** {@code {{name}}}, {@code {{?name}}} or {@code {{name:default}}} in a route. */
    private static final Pattern ROUTE_PLACEHOLDER = Pattern.compile("\\{\\{\\??([a-zA-Z0-9.\\-]+)(?::[^}]*)?}}");

    /**
     * Variables the application reads without a key in application.yaml, each documented: Spring
     * Boot's datasource (README, docs/configuration.md), the management users and the status secrets
     * (bound by IntakeProperties and ManagementUsers; application.yaml has no default on purpose).
     */
    static final Set<String> DOCUMENTED_PREFIXES =
            Set.of("SPRING_DATASOURCE_", "INTAKE_MANAGEMENT_USERS_", "INTAKE_TICKETS_STATUS_SECRETS_");
    /** The variables bin/intake reads itself. */
    static final Set<String> LAUNCHER_NAMES = Set.of("JAVA_OPTS", "INTAKE_ARCHIVE_DIR");

    final Path root;
    /** application.yaml's leaves by their dotted key. */
    final Map<String, Object> properties;
    private final Set<String> exactEnvNames = new HashSet<>();
    private final Set<String> envPrefixes = new HashSet<>();

    ApplicationSettings(Path root) {
        this.root = root;
        this.properties = new LinkedHashMap<>();
        flatten("", yaml(root.resolve("src/main/resources/application.yaml")), properties);
        properties.forEach((key, value) -> {
            exactEnvNames.add(envName(key));
            // an open map (sources: {}) or a list: its entries are the key's variable plus a suffix
            if (value instanceof Map || value instanceof List) {
                envPrefixes.add(envName(key) + "_");
            }
            Matcher placeholder = ENV_PLACEHOLDER.matcher(String.valueOf(value));
            while (placeholder.find()) {
                exactEnvNames.add(placeholder.group(1));
            }
        });
        try (Stream<Path> routes = Files.list(root.resolve("src/main/resources/routes"))) {
            routes.filter(p -> p.toString().endsWith(".camel.yaml")).forEach(route -> {
                Matcher placeholder = ROUTE_PLACEHOLDER.matcher(read(route));
                while (placeholder.find()) {
                    exactEnvNames.add(envName(placeholder.group(1)));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String launcher = read(root.resolve("bin/intake"));
        for (String name : LAUNCHER_NAMES) {
            if (!launcher.contains("${" + name)) {
                throw new IllegalStateException("bin/intake no longer reads " + name);
            }
        }
    }

    /** Spring Boot's relaxed form of a property as an environment variable. */
    static String envName(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Whether the application reads this environment variable, and if not, why it would be ignored. */
    boolean reads(String envName) {
        return exactEnvNames.contains(envName)
                || LAUNCHER_NAMES.contains(envName)
                || envPrefixes.stream().anyMatch(envName::startsWith)
                || DOCUMENTED_PREFIXES.stream().anyMatch(envName::startsWith);
    }

    String string(String key) {
        Object value = properties.get(key);
        if (value == null) {
            throw new IllegalStateException("application.yaml has no " + key);
        }
        return String.valueOf(value);
    }

    /** The variable and the default of a value written {@code ${VARIABLE:default}}. */
    Placeholder placeholder(String key) {
        Matcher matcher = ENV_PLACEHOLDER.matcher(string(key));
        if (!matcher.matches() || matcher.group(2) == null) {
            throw new IllegalStateException(key + " is not ${VARIABLE:default} in application.yaml: " + string(key));
        }
        return new Placeholder(matcher.group(1), matcher.group(2));
    }

    record Placeholder(String variable, String defaultValue) {
        int intDefault() {
            return Integer.parseInt(defaultValue);
        }
    }

    /** The value of the Dockerfile's {@code ENV NAME=value} (unquoted). */
    String dockerfileEnv(String name) {
        Matcher matcher = Pattern.compile("(?m)^ENV .*\\b" + name + "=(\"[^\"]*\"|\\S+)").matcher(read(root.resolve("Dockerfile")));
        if (!matcher.find()) {
            throw new IllegalStateException("The Dockerfile sets no " + name);
        }
        return matcher.group(1).replace("\"", "");
    }

    /** The Dockerfile's numeric {@code USER}. */
    long dockerfileUser() {
        Matcher matcher = Pattern.compile("(?m)^USER (\\d+)\\s*$").matcher(read(root.resolve("Dockerfile")));
        if (!matcher.find()) {
            throw new IllegalStateException("The Dockerfile has no numeric USER");
        }
        return Long.parseLong(matcher.group(1));
    }

    static Object yaml(Path file) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(read(file));
    }

    static List<Object> yamlDocuments(Path file) {
        List<Object> documents = new ArrayList<>();
        new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(read(file)).forEach(document -> {
            if (document != null) {
                documents.add(document);
            }
        });
        return documents;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flatten(String prefix, Object node, Map<String, Object> into) {
        if (node instanceof Map<?, ?> map && !map.isEmpty()) {
            map.forEach((key, value) -> flatten(prefix.isEmpty() ? String.valueOf(key) : prefix + "." + key, value, into));
        } else {
            into.put(prefix, node);
        }
    }
}
