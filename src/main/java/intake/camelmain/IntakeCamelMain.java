package intake.camelmain;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import intake.config.Roles;
import intake.wiring.IntakeProperties;
import intake.wiring.RouteBeans;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.flywaydb.core.Flyway;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * Intake on plain Camel Main: the YAML routes of {@code classpath:routes}, platform-http on
 * Vert.x (camel-platform-http-main) at {@code server.address}:{@code server.port}, and the beans
 * of {@link RouteBeans}, the same declaration Spring Boot uses. No Spring application context,
 * servlet container or actuator is started.
 *
 * <p>Settings are read as Spring Boot reads them ({@code application.yaml}, then
 * {@code application-<profile>.yaml} for each profile in {@code SPRING_PROFILES_ACTIVE}, under
 * the environment variables and system properties), with Spring Boot's configuration library, so
 * every name and {@code INTAKE_*} variable means the same on both runtimes (docs/adr/0018).
 *
 * <p>Both roles run ({@code intake.roles}, as on Spring Boot). What Spring Boot adds around them is
 * not here, and the start-up log says so: there is no management port (health, Prometheus, the
 * operator endpoints), and no servlet filter in front of the public port (docs/adr/0018).
 */
public final class IntakeCamelMain {

    private static final Logger LOG = LoggerFactory.getLogger(IntakeCamelMain.class);
    private static final String ROUTES = "camel.main.routes-include-pattern";

    private IntakeCamelMain() {
    }

    public static void main(String[] args) throws Exception {
        String profiles = System.getProperty("spring.profiles.active", System.getenv().getOrDefault("SPRING_PROFILES_ACTIVE", ""));
        Main main = create(settings(Arrays.stream(profiles.split(",")).map(String::trim).filter(p -> !p.isEmpty()).toList(),
                Map.of()));
        main.run(args);
    }

    /**
     * Intake's settings: {@code application.yaml}, each profile's file over it, the environment
     * variables and system properties over both, and the given overrides over everything.
     */
    public static ConfigurableEnvironment settings(List<String> profiles, Map<String, Object> overrides) {
        StandardEnvironment environment = new StandardEnvironment();
        List<String> files = new ArrayList<>();
        files.add("application.yaml");
        profiles.forEach(profile -> files.add("application-" + profile + ".yaml"));
        // over the environment, as Spring Boot's command-line arguments are
        environment.getPropertySources().addFirst(new MapPropertySource("overrides", overrides));
        for (int i = files.size() - 1; i >= 0; i--) {
            yaml(files.get(i)).forEach(environment.getPropertySources()::addLast);
        }
        ConfigurationPropertySources.attach(environment);
        return environment;
    }

    /** Camel Main with Intake's routes and beans, not started yet. */
    public static Main create(ConfigurableEnvironment settings) {
        Binder binder = Binder.get(settings);
        Roles roles = Roles.parse(binder.bind(Roles.SETTING, Bindable.listOf(String.class)).orElse(List.of(Roles.EDGE, Roles.PROCESSOR)));
        IntakeProperties intake = bindValidated(binder);
        HikariDataSource dataSource = dataSource(binder);
        // spring.flyway.schemas, as the Spring Boot jar reads it: the schemas Flyway creates and migrates
        Flyway.configure().dataSource(dataSource)
                .schemas(binder.bind("spring.flyway.schemas", Bindable.listOf(String.class)).orElse(List.of()).toArray(String[]::new))
                .load().migrate();

        Main main = new Main();
        main.setInitialProperties(camelProperties(settings, binder, roles));
        MeterRegistry meters = new SimpleMeterRegistry();
        main.configure().addConfiguration(new CamelConfiguration() {
            @Override
            public void configure(CamelContext camel) {
                camel.getRegistry().bind("metricsRegistry", meters);
                // the POST channels take the Vert.x request unread, for HttpIngress to read within the limit
                VertxRequestBodies.install(camel);
                RouteBeans beans = new RouteBeans(intake, binder, dataSource, camel, meters);
                beans.bindTo(camel.getRegistry());
                if (!beans.provisionTopicsOrBypass()) {
                    LOG.warn("Kafka did not answer at start-up: Intake starts in bypass mode, events wait in the outbox");
                }
            }
        });
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStop(BaseMainSupport stopped) {
                dataSource.close();
            }
        });
        LOG.info("Intake on Camel Main: the roles {} ({}), HTTP at {}:{}, no management port (health and metrics are the Spring Boot jar's)",
                roles.names(), Roles.SETTING, binder.bind("server.address", String.class).orElse("0.0.0.0"),
                binder.bind("server.port", Integer.class).orElse(8080));
        return main;
    }

    /** Validated as Spring Boot validates the {@code @Validated} properties: a wrong value stops start-up naming it. */
    private static IntakeProperties bindValidated(Binder binder) {
        try (ValidatorFactory validation = Validation.byDefaultProvider().configure()
                // no Jakarta EL on this path: messages are interpolated without it
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory()) {
            return binder.bind("intake", Bindable.of(IntakeProperties.class), new ValidationBindHandler(
                    new SpringValidatorAdapter(validation.getValidator())))
                    .orElseThrow(() -> new IllegalStateException("Intake's configuration has no intake.* settings"));
        }
    }

    /** spring.datasource.url, username, password and hikari.*: the names the Spring Boot jar reads. */
    private static HikariDataSource dataSource(Binder binder) {
        HikariConfig pool = binder.bind("spring.datasource.hikari", Bindable.ofInstance(new HikariConfig())).orElseGet(HikariConfig::new);
        pool.setJdbcUrl(binder.bind("spring.datasource.url", String.class).orElseThrow(() -> new IllegalStateException(
                "spring.datasource.url (SPRING_DATASOURCE_URL) is not set: Intake needs its database to start")));
        binder.bind("spring.datasource.username", String.class).ifBound(pool::setUsername);
        binder.bind("spring.datasource.password", String.class).ifBound(pool::setPassword);
        pool.setPoolName("intake");
        return new HikariDataSource(pool);
    }

    /**
     * Every setting of the files, resolved, as Camel properties: the routes' placeholders and
     * camel.* read them. The public port is Camel's HTTP server, at server.address and server.port.
     */
    private static Properties camelProperties(ConfigurableEnvironment settings, Binder binder, Roles roles) {
        Properties properties = new Properties();
        for (PropertySource<?> source : settings.getPropertySources()) {
            if (source instanceof EnumerablePropertySource<?> enumerable && !isEnvironment(source)) {
                for (String key : enumerable.getPropertyNames()) {
                    properties.putIfAbsent(key, settings.getProperty(key));
                }
            }
        }
        // Camel's metrics are the Spring Boot actuator's (camel-micrometer-prometheus is not on this path)
        properties.stringPropertyNames().stream().filter(key -> key.startsWith("camel.metrics.")).forEach(properties::remove);
        // the switches the routes' preconditions read (on Spring Boot, RolesEnvironmentPostProcessor's)
        properties.setProperty(Roles.EDGE_SWITCH, Boolean.toString(roles.edge()));
        properties.setProperty(Roles.PROCESSOR_SWITCH, Boolean.toString(roles.processor()));
        properties.setProperty(ROUTES, routeFiles(properties.getProperty(ROUTES)));
        properties.setProperty("camel.server.enabled", "true");
        properties.setProperty("camel.server.host", binder.bind("server.address", String.class).orElse("0.0.0.0"));
        properties.setProperty("camel.server.port", Integer.toString(binder.bind("server.port", Integer.class).orElse(8080)));
        return properties;
    }

    /**
     * The route files, each named: Camel's classpath scan does not read the nested jars of the
     * packaged jar (Spring Boot's loader), so a {@code classpath:} pattern is resolved here with
     * Spring's resolver, which does, and works the same on a plain classpath.
     */
    private static String routeFiles(String patterns) {
        PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver(IntakeCamelMain.class.getClassLoader());
        List<String> files = new ArrayList<>();
        for (String pattern : patterns.split(",")) {
            String trimmed = pattern.trim();
            if (!trimmed.startsWith("classpath:")) {
                files.add(trimmed);
                continue;
            }
            String directory = trimmed.substring("classpath:".length(), trimmed.lastIndexOf('/') + 1);
            try {
                for (Resource resource : resolver.getResources("classpath*:" + trimmed.substring("classpath:".length()))) {
                    files.add("classpath:" + directory + resource.getFilename());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list the route files of " + trimmed, e);
            }
        }
        if (files.isEmpty()) {
            throw new IllegalStateException(ROUTES + " (" + patterns + ") names no route file");
        }
        return String.join(",", files);
    }

    private static boolean isEnvironment(PropertySource<?> source) {
        return source.getName().equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)
                || source.getName().equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    }

    private static List<PropertySource<?>> yaml(String file) {
        ClassPathResource resource = new ClassPathResource(file);
        if (!resource.exists()) {
            throw new IllegalArgumentException("No " + file + " on the classpath");
        }
        try {
            return new YamlPropertySourceLoader().load(file, resource);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }
}
