package intake.kamelets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import intake.ingress.RawPayload;
import intake.testing.FreePorts;
import intake.testing.KafkaTopics;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.testing.TestKafka;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kamelet.KameletComponent;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Kamelets in {@code kamelets/}: first the Apache Camel Kamelet catalog's rules (those its
 * validator checks, plus the project's own: the project jar as a dependency, classes that exist),
 * then each Kamelet loaded by Camel's YAML DSL into a plain {@link DefaultCamelContext}, created
 * with concrete parameters and driven with real exchanges.
 *
 * <p>No web server runs: the HTTP sources are served by camel-platform-http's Spring Boot consumer
 * (the one Intake runs on), called the way Spring MVC's handler mapping calls it, with Spring's
 * mock servlet request and response. The email source polls a real IMAP server (GreenMail) and the
 * ticket sink publishes to the embedded Kafka broker the other tests use.
 */
class KameletCatalogTest {

    static final Path KAMELETS = Path.of("kamelets");
    static final List<String> EXPECTED = List.of(
            "intake-email-source",
            "intake-meta-whatsapp-source",
            "intake-standard-webhooks-source",
            "intake-ticket-sink",
            "intake-twilio-whatsapp-source",
            "intake-webform-source");

    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Path> kameletFiles() throws IOException {
        try (Stream<Path> files = Files.list(KAMELETS)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".kamelet.yaml")).sorted().toList().stream();
        }
    }

    // =========================================================================== catalog rules

    @Nested
    class CatalogRules {

        private static final Pattern CAMEL_CASE = Pattern.compile("[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*");
        /** The catalog validator's placeholder pattern: {{name}}, {{?name}}, {{name:default}}. */
        private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\??([A-Za-z0-9-._]+)(?::[^}]*)?}}");
        private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|secret|token).*");
        private static final Set<String> JSON_SCHEMA_TYPES = Set.of("string", "integer", "number", "boolean", "array", "object");
        private static final Set<String> SUPPORT_LEVELS = Set.of("Stable", "Preview", "Experimental");
        /** Words a Title Case title may keep in lower case. */
        private static final Set<String> MINOR_WORDS = Set.of("a", "an", "and", "as", "at", "by", "for", "from", "in",
                "into", "of", "on", "or", "per", "the", "to", "via", "with");
        private static final String CREDENTIALS = "urn:camel:group:credentials";
        /** The Camel component behind each URI scheme a template may use. */
        private static final Map<String, String> COMPONENTS = Map.of(
                "platform-http", "camel:platform-http",
                "kafka", "camel:kafka",
                "imap", "camel:mail",
                "imaps", "camel:mail",
                "kamelet", "camel:kamelet");

        @Test
        void theDirectoryHoldsOneKameletPerChannelAndTheTicketSinkAndNoOtherYaml() throws IOException {
            try (Stream<Path> files = Files.list(KAMELETS)) {
                assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml") || f.endsWith(".yml")))
                        .containsExactlyInAnyOrderElementsOf(EXPECTED.stream().map(n -> n + ".kamelet.yaml").toList());
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void isAKubernetesKameletNamedLikeItsFileWithATypeMatchingItsSuffix(Path file) {
            Map<String, Object> kamelet = yaml(file);
            assertThat(kamelet).containsEntry("apiVersion", "camel.apache.org/v1").containsEntry("kind", "Kamelet");
            String name = text(map(kamelet, "metadata"), "name");
            assertThat(file.getFileName().toString()).isEqualTo(name + ".kamelet.yaml");
            assertThat(name).matches("[a-z0-9]+(-[a-z0-9]+)*");

            String type = text(map(map(kamelet, "metadata"), "labels"), "camel.apache.org/kamelet.type");
            assertThat(type).isIn("source", "sink", "action");
            assertThat(name).endsWith("-" + type);
            String title = text(definition(kamelet), "title");
            assertThat(title).as("the title ends with the capitalized type, as the catalog wants")
                    .endsWith(Character.toUpperCase(type.charAt(0)) + type.substring(1));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void hasTheCatalogAnnotationsWithASmallSvgIcon(Path file) throws Exception {
            Map<String, Object> annotations = map(map(yaml(file), "metadata"), "annotations");
            assertThat(text(annotations, "camel.apache.org/kamelet.support.level")).isIn(SUPPORT_LEVELS);
            assertThat(text(annotations, "camel.apache.org/catalog.version")).isEqualTo(Pom.read().version());
            assertThat(text(annotations, "camel.apache.org/provider")).isNotBlank();
            assertThat(text(annotations, "camel.apache.org/kamelet.group")).isNotBlank();

            String icon = text(annotations, "camel.apache.org/kamelet.icon");
            String prefix = "data:image/svg+xml;base64,";
            assertThat(icon).startsWith(prefix);
            byte[] svg = Base64.getDecoder().decode(icon.substring(prefix.length()));
            assertThat(svg.length).as("icon size in bytes").isLessThanOrEqualTo(2048);
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element root = factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg)).getDocumentElement();
            assertThat(root.getLocalName()).isEqualTo("svg");
            assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void definesEveryPropertyWithACamelCaseNameATitleCaseTitleADescriptionAndAType(Path file) {
            Map<String, Object> definition = definition(yaml(file));
            assertThat(text(definition, "title")).isNotBlank();
            assertThat(text(definition, "description")).isNotBlank();
            assertThat(definition).containsEntry("type", "object");
            Map<String, Object> properties = map(definition, "properties");
            assertThat(properties).isNotEmpty().doesNotContainKey("id");

            properties.forEach((name, value) -> {
                assertThat(name).as("property name").matches(CAMEL_CASE);
                @SuppressWarnings("unchecked")
                Map<String, Object> property = (Map<String, Object>) value;
                String title = text(property, "title");
                assertThat(title).as("title of %s", name).isNotBlank().doesNotStartWith("The ").doesNotStartWith("A ")
                        .doesNotStartWith("An ");
                for (String word : title.split(" ")) {
                    if (!MINOR_WORDS.contains(word)) {
                        assertThat(Character.isUpperCase(word.charAt(0)))
                                .as("word '%s' of the title of %s is capitalized", word, name).isTrue();
                    }
                }
                assertThat(text(property, "description")).as("description of %s", name).isNotBlank();
                assertThat(text(property, "type")).as("type of %s", name).isIn(JSON_SCHEMA_TYPES);
                if (property.containsKey("enum") && property.containsKey("default")) {
                    assertThat(strings(property.get("enum"))).as("enum of %s", name).contains(String.valueOf(property.get("default")));
                }
            });
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void listsOnlyDefinedPropertiesAsRequiredEachOnce(Path file) {
            Map<String, Object> definition = definition(yaml(file));
            List<String> required = strings(definition.getOrDefault("required", List.of()));
            assertThat(required).doesNotHaveDuplicates();
            for (String name : required) {
                assertThat(map(definition, "properties")).as("required property is defined").containsKey(name);
                assertThat(map(map(definition, "properties"), name)).as("required %s has no default", name)
                        .doesNotContainKey("default");
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void marksSecretsAsPasswordsInTheCredentialsGroup(Path file) {
            map(definition(yaml(file)), "properties").forEach((name, value) -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> property = (Map<String, Object>) value;
                List<String> descriptors = strings(property.getOrDefault("x-descriptors", List.of()));
                assertThat(descriptors).as("x-descriptors of %s", name).doesNotHaveDuplicates()
                        .noneMatch(d -> d.startsWith("urn:alm:descriptor:com.tectonic.ui"));
                if (SECRET_NAME.matcher(name).matches()) {
                    assertThat(property).as("secret %s", name).containsEntry("format", "password");
                }
                if ("password".equals(property.get("format"))) {
                    assertThat(descriptors).as("x-descriptors of password %s", name).contains(CREDENTIALS);
                    assertThat(property).as("a password has no default").doesNotContainKey("default");
                }
            });
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void declaresTheProjectJarAndEveryComponentItsTemplateUses(Path file) {
            Map<String, Object> kamelet = yaml(file);
            List<String> dependencies = strings(map(kamelet, "spec").get("dependencies"));
            assertThat(dependencies).doesNotHaveDuplicates()
                    .allMatch(d -> d.startsWith("camel:") || d.startsWith("mvn:") || d.startsWith("github:apache/"),
                            "a camel:, mvn: or github:apache/ reference")
                    .contains(Pom.read().mavenDependency(), "camel:kamelet");
            Set<String> used = new LinkedHashSet<>();
            for (String uri : endpointUris(template(kamelet))) {
                for (String scheme : schemes(uri, definition(kamelet))) {
                    assertThat(COMPONENTS).as("component of %s", uri).containsKey(scheme);
                    used.add(COMPONENTS.get(scheme));
                }
            }
            if (containsKey(template(kamelet), "bean")) {
                used.add("camel:bean");
            }
            assertThat(dependencies).containsAll(used);

            // Intake's HTTP ingress reads the servlet request of platform-http's Spring Boot engine:
            // an HTTP Kamelet says so with the catalog's label for a Camel subproject dependency.
            String runtime = (String) map(map(kamelet, "metadata"), "labels").get("camel.apache.org/requires.runtime");
            String starter = "mvn:org.apache.camel.springboot:camel-platform-http-starter:" + Pom.read().camelVersion();
            if (used.contains("camel:platform-http")) {
                assertThat(runtime).isEqualTo("camel-spring-boot");
                assertThat(dependencies).contains(starter);
            } else {
                assertThat(runtime).isNull();
                assertThat(dependencies).noneMatch(d -> d.startsWith("mvn:org.apache.camel.springboot:"));
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void hasATemplateThatFollowsTheSourceAndSinkConventions(Path file) {
            Map<String, Object> kamelet = yaml(file);
            Map<String, Object> template = template(kamelet);
            Map<String, Object> from = map(template, "from");
            assertThat(text(from, "uri")).isNotBlank();
            assertThat(from.get("steps")).asInstanceOf(LIST).isNotEmpty();
            String type = text(map(map(kamelet, "metadata"), "labels"), "camel.apache.org/kamelet.type");
            if (type.equals("source")) {
                assertThat(endpointUris(template)).contains("kamelet:sink");
                assertThat(text(from, "uri")).doesNotStartWith("kamelet:");
            } else if (type.equals("sink")) {
                assertThat(text(from, "uri")).isEqualTo("kamelet:source");
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void usesEveryPropertyAndOnlyDeclaredPropertiesAndBeans(Path file) {
            Map<String, Object> kamelet = yaml(file);
            Set<String> used = new TreeSet<>();
            collectPlaceholders(template(kamelet), used);
            Set<String> properties = map(definition(kamelet), "properties").keySet();
            Set<String> beans = beans(template(kamelet)).stream().map(b -> text(b, "name")).collect(Collectors.toSet());
            assertThat(beans).as("bean names are not property names").doesNotContainAnyElementsOf(properties);
            Set<String> declared = new TreeSet<>(properties);
            declared.addAll(beans);
            assertThat(declared).as("declared properties and beans").containsAll(used);
            assertThat(used).as("placeholders used in the template").containsAll(properties);
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void refersOnlyToClassesThatExist(Path file) {
            Map<String, Object> template = template(yaml(file));
            List<String> classes = new ArrayList<>();
            for (Map<String, Object> bean : beans(template)) {
                String type = text(bean, "type");
                assertThat(type).as("bean %s", text(bean, "name")).startsWith("#class:");
                classes.add(type.substring("#class:".length()));
                if (bean.get("constructors") instanceof Map<?, ?> constructors) {
                    constructors.values().stream().map(String::valueOf).filter(v -> v.startsWith("#class:"))
                            .map(v -> v.substring("#class:".length())).forEach(classes::add);
                }
            }
            collectValues(template, "beanType", classes);
            collectExceptions(template, classes);
            assertThat(classes).isNotEmpty().allSatisfy(name -> {
                try {
                    Class.forName(name, false, getClass().getClassLoader());
                } catch (ClassNotFoundException e) {
                    fail("class " + name + " is not on the classpath");
                }
            });
        }

        @Test
        void titlesAndDescriptionsAreUniqueAndTheCatalogVersionAndProviderAreShared() throws IOException {
            List<Map<String, Object>> all = kameletFiles().map(KameletCatalogTest::yaml).toList();
            assertThat(all.stream().map(k -> text(definition(k), "title"))).doesNotHaveDuplicates();
            assertThat(all.stream().map(k -> text(definition(k), "description"))).doesNotHaveDuplicates();
            assertThat(all.stream().map(k -> text(map(map(k, "metadata"), "annotations"), "camel.apache.org/catalog.version"))
                    .distinct()).hasSize(1);
            assertThat(all.stream().map(k -> text(map(map(k, "metadata"), "annotations"), "camel.apache.org/provider"))
                    .distinct()).hasSize(1);
        }

        private static void collectPlaceholders(Object node, Set<String> into) {
            if (node instanceof String s) {
                Matcher m = PLACEHOLDER.matcher(s);
                while (m.find()) {
                    into.add(m.group(1));
                }
            } else if (node instanceof Map<?, ?> m) {
                m.values().forEach(v -> collectPlaceholders(v, into));
            } else if (node instanceof List<?> l) {
                l.forEach(v -> collectPlaceholders(v, into));
            }
        }

        private static boolean containsKey(Object node, String key) {
            if (node instanceof Map<?, ?> m) {
                return m.containsKey(key) || m.values().stream().anyMatch(v -> containsKey(v, key));
            }
            return node instanceof List<?> l && l.stream().anyMatch(v -> containsKey(v, key));
        }

        private static void collectValues(Object node, String key, List<String> into) {
            if (node instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if (key.equals(k) && v instanceof String s) {
                        into.add(s);
                    } else {
                        collectValues(v, key, into);
                    }
                });
            } else if (node instanceof List<?> l) {
                l.forEach(v -> collectValues(v, key, into));
            }
        }

        private static void collectExceptions(Object node, List<String> into) {
            if (node instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if ("exception".equals(k) && v instanceof List<?> l) {
                        l.forEach(e -> into.add(String.valueOf(e)));
                    } else {
                        collectExceptions(v, into);
                    }
                });
            } else if (node instanceof List<?> l) {
                l.forEach(v -> collectExceptions(v, into));
            }
        }

        /** The endpoint URIs of the template: from.uri, every to (short or long form). */
        private static List<String> endpointUris(Object node) {
            List<String> uris = new ArrayList<>();
            collectUris(node, uris);
            return uris;
        }

        private static void collectUris(Object node, List<String> into) {
            if (node instanceof Map<?, ?> m) {
                m.forEach((k, v) -> {
                    if ("uri".equals(k) && v instanceof String s) {
                        into.add(s);
                    } else if ("to".equals(k) && v instanceof String s) {
                        into.add(s);
                    } else if (!"beans".equals(k)) {
                        collectUris(v, into);
                    }
                });
            } else if (node instanceof List<?> l) {
                l.forEach(v -> collectUris(v, into));
            }
        }

        /** The schemes a URI can have: a placeholder scheme stands for each of its property's enum values. */
        private static List<String> schemes(String uri, Map<String, Object> definition) {
            String scheme = uri.substring(0, uri.indexOf(':', uri.startsWith("{{") ? uri.indexOf("}}") : 0));
            Matcher placeholder = PLACEHOLDER.matcher(scheme);
            if (!placeholder.matches()) {
                return List.of(scheme);
            }
            Map<String, Object> property = map(map(definition, "properties"), placeholder.group(1));
            assertThat(property).as("a scheme placeholder has an enum").containsKey("enum");
            return strings(property.get("enum"));
        }
    }

    // =========================================================================== YAML DSL

    @Nested
    class RouteTemplates {

        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void loadsAsARouteTemplateWithTheDeclaredParameters(Path file) throws Exception {
            Map<String, Object> definition = definition(yaml(file));
            String name = text(map(yaml(file), "metadata"), "name");
            try (DefaultCamelContext context = new DefaultCamelContext()) {
                PluginHelper.getRoutesLoader(context)
                        .loadRoutes(ResourceHelper.fromBytes(file.getFileName().toString(), Files.readAllBytes(file)));
                RouteTemplateDefinition template = context.getCamelContextExtension().getContextPlugin(Model.class)
                        .getRouteTemplateDefinition(name);
                assertThat(template).as("route template %s", name).isNotNull();

                Map<String, RouteTemplateParameterDefinition> parameters = template.getTemplateParameters().stream()
                        .collect(Collectors.toMap(RouteTemplateParameterDefinition::getName, p -> p));
                Map<String, Object> properties = map(definition, "properties");
                assertThat(parameters.keySet()).containsExactlyInAnyOrderElementsOf(properties.keySet());
                List<String> required = strings(definition.getOrDefault("required", List.of()));
                parameters.forEach((parameter, p) -> {
                    assertThat(p.isRequired()).as("%s is required", parameter).isEqualTo(required.contains(parameter));
                    Object expectedDefault = map(properties, parameter).get("default");
                    assertThat(p.getDefaultValue()).as("default of %s", parameter)
                            .isEqualTo(expectedDefault == null ? null : String.valueOf(expectedDefault));
                });
                List<String> beans = beans(template(yaml(file))).stream().map(b -> text(b, "name")).toList();
                assertThat(template.getTemplateBeans()).extracting(b -> b.getName()).containsExactlyElementsOf(beans);
            }
        }

        /** Every Kamelet, given its required properties only, becomes a running route with its defaults. */
        @ParameterizedTest(name = "{0}")
        @MethodSource("intake.kamelets.KameletCatalogTest#kameletFiles")
        void startsWithOnlyItsRequiredPropertiesAndTheDefaults(Path file) throws Exception {
            Map<String, String> samples = Map.of(
                    "sourceName", "shop",
                    "secrets", "whsec_" + Base64.getEncoder().encodeToString("sample-key".getBytes(StandardCharsets.UTF_8)),
                    "authToken", "sample-auth-token",
                    "appSecret", "sample-app-secret",
                    "verifyToken", "sample-verify-token",
                    "host", "127.0.0.1",
                    "username", "support@intake.test",
                    "password", "sample-password",
                    "bootstrapServers", "127.0.0.1:" + FreePorts.free());
            Map<String, String> endpoints = Map.of(
                    "intake-webform-source", "platform-http:///forms/support?httpMethodRestrict=POST",
                    "intake-standard-webhooks-source", "platform-http:///webhooks/shop?httpMethodRestrict=POST",
                    "intake-twilio-whatsapp-source", "platform-http:///whatsapp/twilio?httpMethodRestrict=POST",
                    "intake-meta-whatsapp-source", "platform-http:///whatsapp/meta?httpMethodRestrict=GET,POST",
                    "intake-email-source", "imaps://127.0.0.1:993?delay=10000",
                    "intake-ticket-sink", "kafka://fte.tickets.incoming?batchWithIndividualHeaders=true");
            Map<String, Object> kamelet = yaml(file);
            String name = text(map(kamelet, "metadata"), "name");
            String query = strings(definition(kamelet).getOrDefault("required", List.of())).stream()
                    .map(p -> p + "=" + assertThatSampled(samples, p))
                    .collect(Collectors.joining("&"));
            String uri = "kamelet:" + name + (query.isEmpty() ? "" : "?" + query);

            try (Harness camel = new Harness()) {
                if (name.endsWith("-source")) {
                    camel.route(uri, "mock:sink");
                } else {
                    camel.route("direct:in", uri);
                }
                camel.start();
                assertThat(camel.context.getRoutes()).as("the calling route and the Kamelet's route").hasSize(2)
                        .allSatisfy(route -> assertThat(camel.context.getRouteController().getRouteStatus(route.getRouteId()))
                                .isEqualTo(ServiceStatus.Started));
                assertThat(camel.context.getRoutes()).anySatisfy(route -> assertThat(route.isCreatedByKamelet()).isTrue());
                assertThat(camel.context.getEndpoints()).extracting(e -> e.getEndpointUri())
                        .anySatisfy(endpoint -> assertThat(endpoint).startsWith(endpoints.get(name)));
            }
        }

        @Test
        void refusesToCreateASourceWithoutItsRequiredSecrets() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-standard-webhooks-source?sourceName=shop", "mock:sink");
                assertThatThrownBy(camel::start).hasStackTraceContaining(
                        "Route template intake-standard-webhooks-source the following mandatory parameters must be provided: secrets");
            }
        }

        @Test
        void refusesToStartAWebhooksSourceWhoseSecretIsNotAWhsecSecret() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-standard-webhooks-source?sourceName=shop&secrets=not-a-secret", "mock:sink");
                assertThatThrownBy(camel::start)
                        .hasStackTraceContaining("Secret 1 of webhook source 'shop' does not start with whsec_");
            }
        }

        private static String assertThatSampled(Map<String, String> samples, String property) {
            assertThat(samples).as("a sample value for required property %s", property).containsKey(property);
            return samples.get(property);
        }
    }

    // =========================================================================== HTTP sources

    @Nested
    class WebFormSource {

        private static final String FORM = """
                {"name":"Ada Lovelace","email":"Ada@Example.com","subject":"Invoice","message":"I was charged twice.","orderNumber":"A-1001"}""";

        @Test
        void handsTheTicketToTheSinkAsDirectAcceptGetsItAndAnswers202() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-webform-source?path=/kamelet/forms&maxBodyBytes=4096", "mock:sink").start();

                Reply reply = camel.post("/kamelet/forms", "application/json", FORM, Map.of("X-Correlation-ID", "corr-form-1"));

                assertThat(reply.status()).isEqualTo(202);
                assertThat(reply.json().get("correlationId").asText()).isEqualTo("corr-form-1");
                Exchange accepted = camel.single("mock:sink");
                assertThat(accepted.getProperty("intakeChannel")).isEqualTo("webform");
                assertThat(accepted.getProperty("intakeCorrelationId")).isEqualTo("corr-form-1");
                RawPayload raw = accepted.getProperty("intakeRaw", RawPayload.class);
                assertThat(new String(raw.bytes(), StandardCharsets.UTF_8)).isEqualTo(FORM);
                // the webform channel's allowlist (KeptRequestHeaders): the correlation id travels as its own header
                assertThat(raw.headers()).containsOnlyKeys("content-type");
                TicketEvent ticket = singleTicket(accepted);
                assertThat(ticket.getChannel()).isEqualTo("webform");
                assertThat(ticket.getSource()).isEqualTo("support-form");
                assertThat(ticket.getCustomerId()).isEqualTo("ada@example.com");
                assertThat(ticket.getCustomerName()).isEqualTo("Ada Lovelace");
                assertThat(ticket.getSubject()).isEqualTo("Invoice");
                assertThat(ticket.getBody()).isEqualTo("I was charged twice.");
                assertThat(ticket.getDetails()).containsEntry("orderNumber", "A-1001");
                assertThat(ticket.getCorrelationId()).isEqualTo("corr-form-1");
                // the ticket's receivedAt is an Avro timestamp-millis
                assertThat(ticket.getReceivedAt()).isEqualTo(raw.receivedAt().truncatedTo(ChronoUnit.MILLIS));
            }
        }

        @Test
        void answersInvalidFieldsWith422AndAnOversizedBodyWith413AndHandsNothingOn() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-webform-source?path=/kamelet/forms&maxBodyBytes=200", "mock:sink").start();

                Reply invalid = camel.post("/kamelet/forms", "application/json", """
                        {"name":"Ada","email":"not-an-address","subject":"","message":"hi"}""", Map.of());
                assertThat(invalid.status()).isEqualTo(422);
                assertThat(invalid.json().get("error").asText()).isEqualTo("invalid_fields");
                assertThat(invalid.json().get("fields").findValuesAsText("field")).containsExactlyInAnyOrder("email", "subject");

                Reply tooLarge = camel.post("/kamelet/forms", "application/json", FORM.repeat(2), Map.of());
                assertThat(tooLarge.status()).isEqualTo(413);

                Reply wrongType = camel.post("/kamelet/forms", "text/plain", "hello", Map.of());
                assertThat(wrongType.status()).isEqualTo(415);

                assertThat(camel.mock("mock:sink").getReceivedExchanges()).isEmpty();
            }
        }

        @Test
        void answers503WhenTheSinkFails() throws Exception {
            try (Harness camel = new Harness()) {
                camel.context.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("kamelet:intake-webform-source?path=/kamelet/forms").routeId("caller")
                                .throwException(new TimeoutException("no broker"));
                    }
                });
                camel.start();

                Reply reply = camel.post("/kamelet/forms", "application/json", FORM, Map.of());

                assertThat(reply.status()).isEqualTo(503);
                assertThat(reply.headers()).containsEntry("Retry-After", "5");
                assertThat(reply.json().get("error").asText()).isEqualTo("publish_unavailable");
            }
        }
    }

    @Nested
    class StandardWebhooksSource {

        private static final String OLD = "whsec_" + Base64.getEncoder().encodeToString("old-secret-rotating-out".getBytes(StandardCharsets.UTF_8));
        private static final String NEW = "whsec_" + Base64.getEncoder().encodeToString("new-secret-after-rotation".getBytes(StandardCharsets.UTF_8));
        private static final String EVENT = """
                {"type":"message.created","data":{"customer":{"email":"grace@example.com","name":"Grace"},"subject":"Login","message":"I cannot log in."}}""";

        @Test
        void acceptsAnEventSignedWithEitherSecretOfTheSource() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-standard-webhooks-source?sourceName=shop&secrets=" + OLD + "," + NEW, "mock:sink").start();

                for (String secret : List.of(OLD, NEW)) {
                    String id = "msg_" + UUID.randomUUID();
                    long now = Instant.now().getEpochSecond();
                    Reply reply = camel.post("/webhooks/shop", "application/json", EVENT, Map.of(
                            "webhook-id", id, "webhook-timestamp", String.valueOf(now),
                            "webhook-signature", Signatures.standardWebhook(secret, id, now, EVENT),
                            // a caller cannot choose the source
                            "source", "crm"));
                    assertThat(reply.status()).as("signed with %s", secret.equals(OLD) ? "the old secret" : "the new secret")
                            .isEqualTo(202);
                }

                List<Exchange> accepted = camel.mock("mock:sink").getReceivedExchanges();
                assertThat(accepted).hasSize(2).allSatisfy(exchange -> {
                    assertThat(exchange.getProperty("intakeChannel")).isEqualTo("webhook");
                    assertThat(exchange.getProperty("intakeRaw", RawPayload.class).bytes()).asString(StandardCharsets.UTF_8).isEqualTo(EVENT);
                    TicketEvent ticket = singleTicket(exchange);
                    assertThat(ticket.getChannel()).isEqualTo("webhook");
                    assertThat(ticket.getSource()).isEqualTo("shop");
                    assertThat(ticket.getCustomerId()).isEqualTo("grace@example.com");
                    assertThat(ticket.getDetails()).containsEntry("eventType", "message.created");
                    assertThat(ticket.getTicketId()).isEqualTo(Tickets.ticketId("webhook", "shop", ticket.getSourceMessageId()));
                });
            }
        }

        @Test
        void refusesAWrongOrStaleSignatureWith401() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-standard-webhooks-source?sourceName=shop&secrets=" + NEW + "&toleranceSeconds=60",
                        "mock:sink").start();
                String other = "whsec_" + Base64.getEncoder().encodeToString("another-key".getBytes(StandardCharsets.UTF_8));
                long now = Instant.now().getEpochSecond();

                Reply wrong = camel.post("/webhooks/shop", "application/json", EVENT, Map.of("webhook-id", "msg_1",
                        "webhook-timestamp", String.valueOf(now), "webhook-signature", Signatures.standardWebhook(other, "msg_1", now, EVENT)));
                long stale = now - 120;
                Reply old = camel.post("/webhooks/shop", "application/json", EVENT, Map.of("webhook-id", "msg_2",
                        "webhook-timestamp", String.valueOf(stale), "webhook-signature", Signatures.standardWebhook(NEW, "msg_2", stale, EVENT)));

                assertThat(wrong.status()).isEqualTo(401);
                assertThat(wrong.json().get("message").asText()).contains("source 'shop'");
                assertThat(old.status()).isEqualTo(401);
                assertThat(old.json().get("message").asText()).contains("outside the tolerance of 60 seconds");
                assertThat(camel.mock("mock:sink").getReceivedExchanges()).isEmpty();
            }
        }
    }

    @Nested
    class TwilioWhatsAppSource {

        private static final String TOKEN = "kamelet-twilio-auth-token";

        @Test
        void acceptsAMessageSignedForThePublicUrlAndAnswersEmptyTwiml() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-twilio-whatsapp-source?authToken=" + TOKEN
                        + "&publicUrl=https://intake.example.com", "mock:sink").start();
                Map<String, String> form = new TreeMap<>(Map.of("MessageSid", "SM" + UUID.randomUUID().toString().replace("-", ""),
                        "From", "whatsapp:+14155550100", "Body", "Where is my order?", "ProfileName", "Katherine"));
                String signature = Signatures.twilio(TOKEN, "https://intake.example.com/whatsapp/twilio", form);

                Reply reply = camel.post("/whatsapp/twilio", "application/x-www-form-urlencoded", urlEncoded(form),
                        Map.of("X-Twilio-Signature", signature));
                Reply unsigned = camel.post("/whatsapp/twilio", "application/x-www-form-urlencoded", urlEncoded(form), Map.of());

                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.contentType()).startsWith("text/xml");
                assertThat(reply.body()).isEqualTo("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>");
                assertThat(unsigned.status()).isEqualTo(401);
                Exchange accepted = camel.single("mock:sink");
                assertThat(accepted.getProperty("intakeChannel")).isEqualTo("whatsapp");
                TicketEvent ticket = singleTicket(accepted);
                assertThat(ticket.getSource()).isEqualTo("twilio");
                assertThat(ticket.getSourceMessageId()).isEqualTo(form.get("MessageSid"));
                assertThat(ticket.getCustomerId()).isEqualTo("+14155550100");
                assertThat(ticket.getCustomerName()).isEqualTo("Katherine");
                assertThat(ticket.getBody()).isEqualTo("Where is my order?");
            }
        }

        @Test
        void withoutAPublicUrlVerifiesAgainstTheRequestUrl() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-twilio-whatsapp-source?authToken=" + TOKEN + "&path=/kamelet/twilio", "mock:sink").start();
                Map<String, String> form = Map.of("MessageSid", "SM1", "From", "whatsapp:+14155550100", "Body", "Hi");

                Reply reply = camel.post("/kamelet/twilio", "application/x-www-form-urlencoded", urlEncoded(form),
                        Map.of("X-Twilio-Signature", Signatures.twilio(TOKEN, "http://127.0.0.1:8080/kamelet/twilio", form)));

                assertThat(reply.status()).isEqualTo(200);
                assertThat(singleTicket(camel.single("mock:sink")).getSourceMessageId()).isEqualTo("SM1");
            }
        }
    }

    @Nested
    class MetaWhatsAppSource {

        private static final String SECRET = "kamelet-meta-app-secret";
        /** Chosen by whoever configures the webhook: a comma or a space must not split it. */
        private static final String VERIFY = "kamelet meta, verify token";

        @Test
        void answersTheSubscriptionHandshakeOnGet() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-meta-whatsapp-source?appSecret=" + SECRET + "&verifyToken=RAW(" + VERIFY + ")", "mock:sink").start();

                Reply ok = camel.get("/whatsapp/meta?hub.mode=subscribe&hub.verify_token="
                        + URLEncoder.encode(VERIFY, StandardCharsets.UTF_8) + "&hub.challenge=1158201444");
                Reply wrong = camel.get("/whatsapp/meta?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444");

                assertThat(ok.status()).isEqualTo(200);
                assertThat(ok.contentType()).startsWith("text/plain");
                assertThat(ok.body()).isEqualTo("1158201444");
                assertThat(wrong.status()).isEqualTo(403);
                assertThat(wrong.json().get("error").asText()).isEqualTo("forbidden");
                assertThat(camel.mock("mock:sink").getReceivedExchanges()).isEmpty();
            }
        }

        @Test
        void handsEveryMessageOfASignedNotificationToTheSink() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-meta-whatsapp-source?appSecret=" + SECRET + "&verifyToken=RAW(" + VERIFY + ")", "mock:sink").start();
                String notification = """
                        {"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{\
                        "metadata":{"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Sheena"},"wa_id":"16505551234"}],\
                        "messages":[{"from":"16505551234","id":"wamid.A","timestamp":"1749416383","type":"text","text":{"body":"Hi!"}},\
                        {"from":"16505551234","id":"wamid.B","timestamp":"1749416384","type":"text","text":{"body":"Anyone?"}}]}}]}]}""";
                byte[] bytes = notification.getBytes(StandardCharsets.UTF_8);

                Reply reply = camel.post("/whatsapp/meta", "application/json", notification,
                        Map.of("X-Hub-Signature-256", Signatures.meta(SECRET, bytes)));
                Reply forged = camel.post("/whatsapp/meta", "application/json", notification,
                        Map.of("X-Hub-Signature-256", Signatures.meta("not-the-secret", bytes)));

                assertThat(reply.status()).isEqualTo(200);
                assertThat(reply.json().get("correlationId").asText()).isNotBlank();
                assertThat(forged.status()).isEqualTo(401);
                Exchange accepted = camel.single("mock:sink");
                assertThat(accepted.getProperty("intakeChannel")).isEqualTo("whatsapp");
                assertThat(tickets(accepted)).extracting(TicketEvent::getSourceMessageId).containsExactly("wamid.A", "wamid.B");
                assertThat(tickets(accepted)).allSatisfy(ticket -> {
                    assertThat(ticket.getSource()).isEqualTo("meta");
                    assertThat(ticket.getCustomerId()).isEqualTo("+16505551234");
                    assertThat(ticket.getCustomerName()).isEqualTo("Sheena");
                });
            }
        }
    }

    // =========================================================================== email source

    @Nested
    class EmailSource {

        private static final String MAILBOX = "support@intake.test";
        /** Characters that would break an endpoint URI if the Kamelet did not keep the password intact. */
        private static final String PASSWORD = "p@ss+w&rd=%41 #1";
        private static GreenMail imap;

        @BeforeAll
        static void startImap() {
            imap = new GreenMail(new ServerSetup(FreePorts.free(), "127.0.0.1", ServerSetup.PROTOCOL_IMAP));
            imap.start();
            imap.setUser(MAILBOX, MAILBOX, PASSWORD);
        }

        @AfterAll
        static void stopImap() {
            imap.stop();
        }

        private String uri() {
            return "kamelet:intake-email-source?protocol=imap&host=127.0.0.1&port=" + imap.getImap().getPort()
                    + "&username=" + MAILBOX + "&password=RAW(" + PASSWORD + ")&delay=200";
        }

        @Test
        void handsOneTicketPerUnseenMailToTheSinkAndMarksItSeen() throws Exception {
            String messageId = "<" + UUID.randomUUID() + "@customer.example>";
            try (Harness camel = new Harness()) {
                camel.route(uri(), "mock:sink").start();

                deliver(messageId, new InternetAddress("Marie.Curie@Example.ORG", "Marie Curie", "UTF-8"));

                MockEndpoint sink = camel.mock("mock:sink");
                await().atMost(Duration.ofSeconds(15)).until(() -> !sink.getReceivedExchanges().isEmpty());
                Exchange accepted = sink.getReceivedExchanges().get(0);
                assertThat(accepted.getProperty("intakeChannel")).isEqualTo("email");
                assertThat(new String(accepted.getProperty("intakeRaw", RawPayload.class).bytes(), StandardCharsets.UTF_8))
                        .contains("Message-ID: " + messageId);
                TicketEvent ticket = singleTicket(accepted);
                assertThat(ticket.getChannel()).isEqualTo("email");
                assertThat(ticket.getSource()).isEqualTo(MAILBOX);
                assertThat(ticket.getSourceMessageId()).isEqualTo(messageId);
                assertThat(ticket.getCustomerId()).isEqualTo("marie.curie@example.org");
                assertThat(ticket.getSubject()).isEqualTo("Order 42");
                assertThat(ticket.getBody()).isEqualTo("My order has not arrived.");
                await().atMost(Duration.ofSeconds(10)).until(() -> seen(messageId));
            }
        }

        @Test
        void leavesAMailUnseenWhileTheSinkFails() throws Exception {
            String messageId = "<" + UUID.randomUUID() + "@customer.example>";
            AtomicInteger attempts = new AtomicInteger();
            try (Harness camel = new Harness()) {
                camel.context.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from(uri()).routeId("caller")
                                .process(exchange -> {
                                    attempts.incrementAndGet();
                                    throw new IllegalStateException("the sink is down");
                                });
                    }
                });
                camel.start();

                deliver(messageId, new InternetAddress("grace@example.com"));

                await().atMost(Duration.ofSeconds(15)).until(() -> attempts.get() >= 2);
                assertThat(seen(messageId)).isFalse();
            }
        }

        @Test
        void doesNotHandOnAMailWithoutSender() throws Exception {
            String orphan = "<" + UUID.randomUUID() + "@nowhere>";
            String next = "<" + UUID.randomUUID() + "@customer.example>";
            try (Harness camel = new Harness()) {
                camel.route(uri(), "mock:sink").start();

                deliver(orphan, null);
                await().atMost(Duration.ofSeconds(15)).until(() -> seen(orphan));
                deliver(next, new InternetAddress("grace@example.com"));

                MockEndpoint sink = camel.mock("mock:sink");
                await().atMost(Duration.ofSeconds(15)).until(() -> !sink.getReceivedExchanges().isEmpty());
                assertThat(sink.getReceivedExchanges()).extracting(e -> singleTicket(e).getSourceMessageId())
                        .containsExactly(next);
            }
        }

        private static void deliver(String messageId, InternetAddress from) throws Exception {
            MimeMessage mail = new MimeMessage(Session.getInstance(new Properties())) {
                @Override
                protected void updateMessageID() throws jakarta.mail.MessagingException {
                    setHeader("Message-ID", messageId);
                }
            };
            if (from != null) {
                mail.setFrom(from);
            }
            mail.setRecipients(Message.RecipientType.TO, MAILBOX);
            mail.setSubject("Order 42");
            mail.setText("My order has not arrived.", "UTF-8");
            mail.saveChanges();
            imap.getUserManager().getUser(MAILBOX).deliver(mail);
        }

        private static boolean seen(String messageId) throws Exception {
            Properties properties = new Properties();
            properties.put("mail.imap.peek", "true");
            Store store = Session.getInstance(properties).getStore("imap");
            store.connect("127.0.0.1", imap.getImap().getPort(), MAILBOX, PASSWORD);
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                try {
                    for (Message message : inbox.getMessages()) {
                        String[] ids = message.getHeader("Message-ID");
                        if (ids != null && ids[0].equals(messageId)) {
                            return message.isSet(Flags.Flag.SEEN);
                        }
                    }
                    return false;
                } finally {
                    inbox.close(false);
                }
            } finally {
                store.close();
            }
        }
    }

    // =========================================================================== ticket sink

    @Nested
    class TicketSink {

        @Test
        void publishesTheRawPayloadAndTheTicketToKafkaBeforeTheSourceAnswers() throws Exception {
            String bootstrap = TestKafka.bootstrapServers();
            String ticketsTopic = "kamelet.tickets." + UUID.randomUUID();
            createTopics(bootstrap, ticketsTopic, "fte.channels.webform.inbound");
            String correlationId = "corr-" + UUID.randomUUID();
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-webform-source?path=/kamelet/forms",
                        "kamelet:intake-ticket-sink?bootstrapServers=" + bootstrap + "&ticketsTopic=" + ticketsTopic).start();

                Reply reply = camel.post("/kamelet/forms", "application/json", """
                        {"name":"Ada Lovelace","email":"ada@example.com","subject":"Invoice","message":"I was charged twice."}""",
                        Map.of("X-Correlation-ID", correlationId));

                assertThat(reply.status()).isEqualTo(202);
                String ticketId = reply.json().get("ticketId").asText();
                KafkaTopics kafka = new KafkaTopics(bootstrap);
                ConsumerRecord<String, byte[]> record = kafka.awaitRecords(ticketsTopic, Records.withHeader("ce_id", ticketId), 1).get(0);
                assertThat(record.key()).isEqualTo("ada@example.com");
                assertThat(Records.header(record, "intake_correlation_id")).isEqualTo(correlationId);
                assertThat(Records.header(record, "content-type")).isEqualTo("application/avro");
                TicketEvent ticket = Records.ticket(record);
                assertThat(ticket.getTicketId().toString()).isEqualTo(ticketId);
                assertThat(ticket.getChannel()).isEqualTo("webform");
                assertThat(ticket.getSubject()).isEqualTo("Invoice");

                ConsumerRecord<String, byte[]> raw = kafka.awaitRecords("fte.channels.webform.inbound",
                        Records.withHeader("intake_correlation_id", correlationId), 1).get(0);
                assertThat(raw.key()).isEqualTo("ada@example.com");
                assertThat(new String(raw.value(), StandardCharsets.UTF_8)).contains("\"subject\":\"Invoice\"");
                assertThat(Records.header(raw, "content-type")).isEqualTo("application/json");
            }
        }

        @Test
        void makesTheSourceAnswer503WhenTheBrokerCannotBeReached() throws Exception {
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-webform-source?path=/kamelet/forms",
                        "kamelet:intake-ticket-sink?bootstrapServers=127.0.0.1:" + FreePorts.free()).start();

                Reply reply = camel.post("/kamelet/forms", "application/json", """
                        {"name":"Ada Lovelace","email":"ada@example.com","subject":"Invoice","message":"I was charged twice."}""", Map.of());

                assertThat(reply.status()).isEqualTo(503);
                assertThat(reply.json().get("error").asText()).isEqualTo("publish_unavailable");
            }
        }

        @Test
        void answersAsIntakesRouteDoesWhenTheBrokerRefusesARecordForGood() throws Exception {
            String bootstrap = TestKafka.bootstrapServers();
            // a ticket of a few KiB is more than this topic takes, whoever sends it, however often
            String smallTopic = "kamelet.tickets.small." + UUID.randomUUID();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(smallTopic, 1, (short) 1).configs(Map.of("max.message.bytes", "1024"))))
                        .all().get();
            }
            createTopics(bootstrap, "fte.channels.webform.inbound");
            try (Harness camel = new Harness()) {
                camel.route("kamelet:intake-webform-source?path=/kamelet/forms",
                        "kamelet:intake-ticket-sink?bootstrapServers=" + bootstrap + "&ticketsTopic=" + smallTopic).start();

                Reply reply = camel.post("/kamelet/forms", "application/json", """
                        {"name":"Ada Lovelace","email":"ada@example.com","subject":"Invoice","message":"%s"}"""
                        .formatted("I was charged twice. ".repeat(200)), Map.of());

                // not a 503 that the caller would retry for ever: Intake's route answers the same (RecordSizeLimit)
                assertThat(reply.status()).isEqualTo(413);
                assertThat(reply.json().get("error").asText()).isEqualTo("payload_too_large");
                assertThat(new KafkaTopics(bootstrap).readAll(smallTopic)).isEmpty();
            }
        }

        private static void createTopics(String bootstrap, String... topics) throws Exception {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                for (String topic : topics) {
                    try {
                        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            throw e;
                        }
                    }
                }
            }
        }
    }

    // =========================================================================== harness

    /**
     * A plain Camel context that finds the Kamelets in {@code kamelets/} (as Camel JBang does with
     * {@code camel.component.kamelet.location}) and serves platform-http with the Spring Boot engine
     * Intake runs on, without a web server: {@link #post} and {@link #get} call the consumer of the
     * path as Spring MVC would, synchronously.
     */
    static final class Harness implements AutoCloseable {

        final DefaultCamelContext context = new DefaultCamelContext();
        private int routes;

        Harness() {
            context.getRegistry().bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME, new SpringBootPlatformHttpEngine(8080, Runnable::run));
            context.getComponent("kamelet", KameletComponent.class).setLocation("file:" + KAMELETS.toAbsolutePath());
        }

        Harness route(String from, String to) throws Exception {
            String id = "caller-" + ++routes;
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from(from).routeId(id).to(to);
                }
            });
            return this;
        }

        Harness start() {
            context.start();
            return this;
        }

        MockEndpoint mock(String uri) {
            return context.getEndpoint(uri, MockEndpoint.class);
        }

        Exchange single(String mock) {
            List<Exchange> received = mock(mock).getReceivedExchanges();
            assertThat(received).as("exchanges received by %s", mock).hasSize(1);
            return received.get(0);
        }

        Reply post(String path, String contentType, String body, Map<String, String> headers) {
            MockHttpServletRequest request = request("POST", path);
            request.setContentType(contentType);
            request.setContent(body.getBytes(StandardCharsets.UTF_8));
            headers.forEach(request::addHeader);
            return send(request);
        }

        Reply get(String pathAndQuery) {
            return send(request("GET", pathAndQuery));
        }

        private static MockHttpServletRequest request(String method, String pathAndQuery) {
            int q = pathAndQuery.indexOf('?');
            MockHttpServletRequest request = new MockHttpServletRequest(method, q < 0 ? pathAndQuery : pathAndQuery.substring(0, q));
            request.setServerName("127.0.0.1");
            request.setServerPort(8080);
            if (q >= 0) {
                String query = pathAndQuery.substring(q + 1);
                request.setQueryString(query);
                for (String pair : query.split("&")) {
                    String[] nv = pair.split("=", 2);
                    request.addParameter(URLDecoder.decode(nv[0], StandardCharsets.UTF_8),
                            nv.length > 1 ? URLDecoder.decode(nv[1], StandardCharsets.UTF_8) : "");
                }
            }
            return request;
        }

        private Reply send(MockHttpServletRequest request) {
            String path = request.getRequestURI();
            PlatformHttpComponent platformHttp = context.getComponent("platform-http", PlatformHttpComponent.class);
            HttpEndpointModel endpoint = platformHttp.getHttpEndpoints().stream().filter(e -> e.getUri().equals(path))
                    .findFirst().orElseThrow(() -> new AssertionError("nothing serves " + path + " but "
                            + platformHttp.getHttpEndpoints().stream().map(HttpEndpointModel::getUri).toList()));
            assertThat(endpoint.getVerbs()).as("methods of %s", path).contains(request.getMethod());
            MockHttpServletResponse response = new MockHttpServletResponse();
            ((SpringBootPlatformHttpConsumer) endpoint.getConsumer()).service(request, response).join();
            try {
                Map<String, String> headers = new LinkedHashMap<>();
                response.getHeaderNames().forEach(name -> headers.put(name, response.getHeader(name)));
                return new Reply(response.getStatus(), response.getContentType(), response.getContentAsString(StandardCharsets.UTF_8), headers);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            context.stop();
        }
    }

    record Reply(int status, String contentType, String body, Map<String, String> headers) {

        JsonNode json() {
            assertThat(contentType).as("content type of %s", body).startsWith("application/json");
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // =========================================================================== helpers

    @SuppressWarnings("unchecked")
    static List<TicketEvent> tickets(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        assertThat(body).isInstanceOf(List.class);
        assertThat((List<Object>) body).allMatch(TicketEvent.class::isInstance, "a TicketEvent");
        return (List<TicketEvent>) body;
    }

    static TicketEvent singleTicket(Exchange exchange) {
        List<TicketEvent> tickets = tickets(exchange);
        assertThat(tickets).hasSize(1);
        return tickets.get(0);
    }

    static String urlEncoded(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    static Map<String, Object> yaml(Path file) {
        try {
            Object loaded = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
            assertThat(loaded).as("%s is a YAML mapping", file).isInstanceOf(Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> kamelet = (Map<String, Object>) loaded;
            return kamelet;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, Object> definition(Map<String, Object> kamelet) {
        return map(map(kamelet, "spec"), "definition");
    }

    static Map<String, Object> template(Map<String, Object> kamelet) {
        return map(map(kamelet, "spec"), "template");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> beans(Map<String, Object> template) {
        return (List<Map<String, Object>>) template.getOrDefault("beans", List.of());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> parent, String key) {
        assertThat(parent).as("has %s", key).containsKey(key);
        assertThat(parent.get(key)).as(key).isInstanceOf(Map.class);
        return (Map<String, Object>) parent.get(key);
    }

    static String text(Map<String, Object> parent, String key) {
        assertThat(parent).as("has %s", key).containsKey(key);
        assertThat(parent.get(key)).as(key).isInstanceOf(String.class);
        return (String) parent.get(key);
    }

    static List<String> strings(Object list) {
        assertThat(list).isInstanceOf(List.class);
        return ((List<?>) list).stream().map(String::valueOf).toList();
    }

    /** The project's Maven coordinates, from pom.xml. */
    record Pom(String groupId, String artifactId, String version, String camelVersion) {

        static Pom read() {
            try {
                Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
                Element project = pom.getDocumentElement();
                Element properties = (Element) project.getElementsByTagName("properties").item(0);
                return new Pom(child(project, "groupId"), child(project, "artifactId"), child(project, "version"),
                        child(properties, "camel.version"));
            } catch (Exception e) {
                throw new IllegalStateException("Cannot read pom.xml", e);
            }
        }

        String mavenDependency() {
            return "mvn:" + groupId + ":" + artifactId + ":" + version;
        }

        private static String child(Element parent, String name) {
            for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(name)) {
                    return e.getTextContent().trim();
                }
            }
            throw new IllegalStateException("pom.xml has no " + name);
        }
    }
}
