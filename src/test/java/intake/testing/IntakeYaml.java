package intake.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;

/**
 * Intake's Spring Boot configuration files as flat Camel properties, so a runtime without Spring
 * reads the same defaults: nested keys joined with dots, list items as {@code key[i]}, and Spring's
 * {@code ${VARIABLE:default}} turned into Camel's {@code {{env:VARIABLE:default}}}.
 */
public final class IntakeYaml {

    private static final Pattern SPRING_PLACEHOLDER = Pattern.compile("\\$\\{([A-Z0-9_]+):([^}]*)}");

    private IntakeYaml() {
    }

    /** The classpath resources' properties, later ones overriding earlier ones. */
    public static Properties load(String... resources) {
        Properties properties = new Properties();
        for (String resource : resources) {
            try (InputStream in = IntakeYaml.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("No classpath resource " + resource);
                }
                flatten("", new Yaml().load(in), properties);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return properties;
    }

    private static void flatten(String key, Object value, Properties into) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((name, nested) -> flatten(key.isEmpty() ? String.valueOf(name) : key + "." + name, nested, into));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(key + "[" + i + "]", list.get(i), into);
            }
        } else if (value != null) {
            into.setProperty(key, SPRING_PLACEHOLDER.matcher(String.valueOf(value)).replaceAll("{{env:$1:$2}}"));
        }
    }
}
