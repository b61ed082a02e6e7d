package intake.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes against the application: every manifest parses into fabric8's Kubernetes model
 * with no field the model does not know (a misspelt key would otherwise be dropped by the API server
 * without a word), and the probes, ports, variables, roles and numbers are the ones Intake has.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path DIR = ROOT.resolve("deploy/kubernetes");
    static final String EXAMPLE = "secret.example.yaml";
    /** Names that say their value is a secret. */
    static final Pattern SECRET_NAME = Pattern.compile("PASSWORD|SECRET|TOKEN|KEY", Pattern.CASE_INSENSITIVE);
    static final Map<String, String> ROLE_BY_DEPLOYMENT = Map.of("intake-edge", "edge", "intake-processor", "processor");
    static final String PROMETHEUS_LABEL = "app.kubernetes.io/name";

    /** fabric8's model keeps unknown fields in additionalProperties (@JsonAnySetter): without it they fail. */
    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                    return Boolean.FALSE;
                }
            });

    /** For KEDA's ScaledObject: GenericKubernetesResource keeps all but metadata in additionalProperties, by design. */
    static final ObjectMapper GENERIC = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static final Map<String, Class<? extends HasMetadata>> MODEL = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    static ApplicationSettings app;
    static List<HasMetadata> applied;
    static List<Secret> exampleSecrets;

    @BeforeAll
    static void parse() {
        app = new ApplicationSettings(ROOT);
        applied = new ArrayList<>();
        for (String file : kustomizationResources()) {
            ApplicationSettings.yamlDocuments(DIR.resolve(file)).forEach(document -> applied.add(strict(document)));
        }
        exampleSecrets = ApplicationSettings.yamlDocuments(DIR.resolve(EXAMPLE)).stream()
                .map(document -> (Secret) strict(document))
                .toList();
    }

    @Test
    void kustomizationListsEveryManifestButTheSecretExample() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            Set<String> yamlFiles = files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") || name.endsWith(".yml"))
                    .collect(Collectors.toCollection(TreeSet::new));
            yamlFiles.removeAll(Set.of("kustomization.yaml", EXAMPLE));
            assertThat(kustomizationResources()).containsExactlyInAnyOrderElementsOf(yamlFiles);
        }
        assertThat(applied).noneMatch(Secret.class::isInstance);
        assertThat(exampleSecrets).extracting(s -> s.getMetadata().getName())
                .containsExactlyInAnyOrder("intake-secrets", "intake-channels");
    }

    @Test
    void aFieldTheModelDoesNotKnowFailsTheParse() {
        Map<String, Object> typo = Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", Map.of("name", "x"),
                "spec", Map.of("template", Map.of("spec", Map.of("containers", List.of(
                        Map.of("name", "intake", "readinesProbe", Map.of()))))));
        assertThatThrownBy(() -> strict(typo)).hasMessageContaining("readinesProbe");
    }

    @Test
    void eachRoleIsADeploymentOfTheImageWithItsPorts() {
        int httpPort = app.placeholder("server.port").intDefault();
        int managementPort = app.placeholder("management.server.port").intDefault();
        assertThat(deployments()).extracting(d -> d.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(ROLE_BY_DEPLOYMENT.keySet());
        for (Deployment deployment : deployments()) {
            String name = deployment.getMetadata().getName();
            Container container = container(deployment);
            assertThat(container.getImage()).as(name).isEqualTo("intake:0.1.0");
            assertThat(env(container, "INTAKE_ROLES")).as(name).isEqualTo(ROLE_BY_DEPLOYMENT.get(name));
            // the ports stay the application's defaults: the containerPorts are written for them
            assertThat(envNames(deployment)).as(name).doesNotContain(
                    app.placeholder("server.port").variable(), app.placeholder("management.server.port").variable());
            Map<String, Integer> expected = name.equals("intake-edge")
                    ? Map.of("http", httpPort, "management", managementPort)
                    : Map.of("management", managementPort);
            assertThat(ports(container)).as(name).isEqualTo(expected);
            // the autoscalers own the replica count
            assertThat(deployment.getSpec().getReplicas()).as(name).isNull();
            // Service links would set INTAKE_<SERVICE>_PORT=tcp://…, which relaxed binding reads
            assertThat(pod(deployment).getEnableServiceLinks()).as(name).isFalse();
            assertThat(pod(deployment).getAutomountServiceAccountToken()).as(name).isFalse();
            // bin/intake writes its class archive at exit (docs/runbook.md#start-up-time)
            assertThat(pod(deployment).getTerminationGracePeriodSeconds()).as(name).isGreaterThanOrEqualTo(60);
        }
    }

    @Test
    void probesAreSpringBootsAvailabilityProbesOnTheManagementPort() {
        assertThat(app.string("management.endpoint.health.probes.enabled")).isEqualTo("true");
        String basePath = String.valueOf(app.properties.getOrDefault("management.endpoints.web.base-path", "/actuator"));
        int managementPort = app.placeholder("management.server.port").intDefault();
        for (Deployment deployment : deployments()) {
            String name = deployment.getMetadata().getName();
            Container container = container(deployment);
            assertProbe(container, container.getLivenessProbe(), basePath + "/health/liveness", managementPort, name);
            assertProbe(container, container.getReadinessProbe(), basePath + "/health/readiness", managementPort, name);
            Probe startup = container.getStartupProbe();
            assertProbe(container, startup, basePath + "/health/liveness", managementPort, name);
            // a start takes 5-20 s (README); the probe waits three times the slowest before liveness counts
            assertThat(startup.getPeriodSeconds() * startup.getFailureThreshold()).as(name).isGreaterThanOrEqualTo(60);
        }
    }

    @Test
    void everyVariableSetIsOneTheApplicationReads() {
        Set<String> names = new TreeSet<>();
        for (Deployment deployment : deployments()) {
            names.addAll(envNames(deployment));
            for (EnvFromSource from : container(deployment).getEnvFrom()) {
                assertThat(from.getPrefix()).isNull();
                if (from.getConfigMapRef() != null) {
                    names.addAll(configMap(from.getConfigMapRef().getName()).getData().keySet());
                } else {
                    // a Secret read whole: its keys are the variables, as in the example
                    names.addAll(exampleSecret(from.getSecretRef().getName()).getStringData().keySet());
                }
            }
        }
        assertThat(names).contains("KAFKA_BOOTSTRAP_SERVERS", "SPRING_DATASOURCE_URL", "INTAKE_ROLES");
        assertThat(names.stream().filter(Predicate.not(app::reads)))
                .as("variables that match no key of application.yaml, no placeholder and no documented name")
                .isEmpty();
    }

    @Test
    void secretsAreReferencesToSecretsOutsideTheRepository() {
        for (Deployment deployment : deployments()) {
            String name = deployment.getMetadata().getName();
            for (EnvVar env : container(deployment).getEnv()) {
                if (SECRET_NAME.matcher(env.getName()).find()) {
                    assertThat(env.getValue()).as(name + " " + env.getName()).isNull();
                    var ref = env.getValueFrom().getSecretKeyRef();
                    assertThat(ref).as(name + " " + env.getName()).isNotNull();
                    assertThat(exampleSecret(ref.getName()).getStringData()).as(name + " " + env.getName()).containsKey(ref.getKey());
                }
            }
            for (EnvFromSource from : container(deployment).getEnvFrom()) {
                if (from.getSecretRef() != null) {
                    // the channels' Secret: absent means no optional channel, not a failed pod
                    assertThat(from.getSecretRef().getOptional()).as(name).isTrue();
                    exampleSecret(from.getSecretRef().getName());
                }
            }
        }
        assertThat(configMap("intake-config").getData().keySet()).noneMatch(key -> SECRET_NAME.matcher(key).find());
        for (Secret example : exampleSecrets) {
            assertThat(example.getData()).isNullOrEmpty();
            example.getStringData().forEach((key, value) -> {
                if (SECRET_NAME.matcher(key).find() || example.getMetadata().getName().equals("intake-secrets")) {
                    assertThat(value).as(example.getMetadata().getName() + " " + key).matches("<[^<>]+>");
                }
            });
        }
    }

    @Test
    void podsRunAsTheImagesUserOnAReadOnlyRootWithWritableTmpAndArchive() {
        String archiveDir = app.dockerfileEnv("INTAKE_ARCHIVE_DIR");
        for (Deployment deployment : deployments()) {
            String name = deployment.getMetadata().getName();
            Container container = container(deployment);
            SecurityContext security = container.getSecurityContext();
            assertThat(security.getRunAsNonRoot()).as(name).isTrue();
            assertThat(security.getRunAsUser()).as(name).isEqualTo(app.dockerfileUser());
            assertThat(security.getReadOnlyRootFilesystem()).as(name).isTrue();
            assertThat(security.getAllowPrivilegeEscalation()).as(name).isFalse();
            assertThat(security.getPrivileged()).as(name).isNotEqualTo(Boolean.TRUE);
            assertThat(security.getCapabilities().getDrop()).as(name).containsExactly("ALL");
            assertThat(security.getCapabilities().getAdd()).as(name).isNullOrEmpty();
            assertThat(security.getSeccompProfile().getType()).as(name).isEqualTo("RuntimeDefault");
            assertThat(pod(deployment).getSecurityContext()).as(name).isNull();

            assertThat(env(container, "INTAKE_ARCHIVE_DIR")).as(name).isEqualTo(archiveDir);
            Map<String, String> volumeByPath = container.getVolumeMounts().stream()
                    .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
            for (String path : List.of("/tmp", archiveDir)) {
                assertThat(volumeByPath).as(name).containsKey(path);
                Volume volume = pod(deployment).getVolumes().stream()
                        .filter(v -> v.getName().equals(volumeByPath.get(path))).findFirst().orElseThrow();
                assertThat(volume.getEmptyDir()).as(name + " " + path).isNotNull();
                assertThat(volume.getEmptyDir().getSizeLimit()).as(name + " " + path).isNotNull();
            }
        }
    }

    @Test
    void resourcesLeaveTheJvmRoomBesideItsHeap() {
        Matcher percentage = Pattern.compile("-XX:MaxRAMPercentage=(\\d+(?:\\.\\d+)?)").matcher(app.dockerfileEnv("JAVA_OPTS"));
        assertThat(percentage.find()).isTrue();
        double heapShare = Double.parseDouble(percentage.group(1)) / 100;
        for (Deployment deployment : deployments()) {
            String name = deployment.getMetadata().getName();
            Container container = container(deployment);
            // the Dockerfile's JAVA_OPTS, not replaced
            assertThat(envNames(deployment)).as(name).doesNotContain("JAVA_OPTS");
            var resources = container.getResources();
            assertThat(resources.getRequests()).as(name).containsKeys("cpu", "memory");
            assertThat(resources.getLimits()).as(name).containsKeys("cpu", "memory");
            BigDecimal limit = amount(resources.getLimits().get("memory"));
            assertThat(amount(resources.getRequests().get("memory"))).as(name).isEqualByComparingTo(limit);
            // metaspace, code cache, thread stacks (up to 128 + 200 threads) and the class archive
            assertThat(limit.doubleValue() * (1 - heapShare)).as(name + ": memory left beside the heap")
                    .isGreaterThanOrEqualTo(192.0 * 1024 * 1024);
            assertThat(amount(resources.getRequests().get("cpu"))).as(name)
                    .isLessThanOrEqualTo(amount(resources.getLimits().get("cpu")));
        }
    }

    @Test
    void servicesAndDisruptionBudgetsSelectEachDeploymentsPods() {
        for (Deployment deployment : deployments()) {
            String name = deployment.getMetadata().getName();
            Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
            assertThat(labels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());

            Service service = byName(Service.class, name);
            assertThat(labels).as(name).containsAllEntriesOf(service.getSpec().getSelector());
            Map<String, Integer> containerPorts = ports(container(deployment));
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(port.getTargetPort().getStrVal()).as(name).isEqualTo(port.getName());
                assertThat(containerPorts).as(name).containsEntry(port.getName(), port.getPort());
            }
            assertThat(service.getSpec().getPorts()).extracting(ServicePort::getName).as(name).contains("management");

            PodDisruptionBudget budget = byName(PodDisruptionBudget.class, name);
            assertThat(labels).as(name).containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
            assertThat(selects(budget.getSpec().getSelector().getMatchLabels())).as(name).containsExactly(deployment);
            assertThat(budget.getSpec().getMaxUnavailable()).as(name).isEqualTo(new IntOrString(1));
        }
        HorizontalPodAutoscaler edge = byName(HorizontalPodAutoscaler.class, "intake-edge");
        assertThat(edge.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(edge.getSpec().getScaleTargetRef().getName()).isEqualTo("intake-edge");
        assertThat(edge.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
        assertThat(of(HorizontalPodAutoscaler.class)).hasSize(1);
    }

    @Test
    void networkPoliciesKeepTheManagementPortToPrometheus() {
        for (Deployment deployment : deployments()) {
            String name = deployment.getMetadata().getName();
            Map<String, Integer> containerPorts = ports(container(deployment));
            List<NetworkPolicy> policies = of(NetworkPolicy.class).stream()
                    .filter(policy -> labelsOf(deployment).entrySet().containsAll(
                            policy.getSpec().getPodSelector().getMatchLabels().entrySet()))
                    .toList();
            assertThat(policies).as(name).allSatisfy(policy -> assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress"));
            List<NetworkPolicyIngressRule> rules = policies.stream().flatMap(policy -> policy.getSpec().getIngress().stream()).toList();
            int management = containerPorts.get("management");
            List<NetworkPolicyIngressRule> toManagement = rules.stream().filter(rule -> covers(rule, management, containerPorts)).toList();
            assertThat(toManagement).as(name + ": a rule for the management port").isNotEmpty();
            for (NetworkPolicyIngressRule rule : toManagement) {
                assertThat(rule.getFrom()).as(name + ": who reaches the management port").isNotEmpty();
                for (NetworkPolicyPeer peer : rule.getFrom()) {
                    assertThat(peer.getIpBlock()).isNull();
                    assertThat(peer.getPodSelector().getMatchLabels()).as(name).containsEntry(PROMETHEUS_LABEL, "prometheus");
                }
            }
            boolean channelsOpen = containerPorts.containsKey("http") && rules.stream()
                    .anyMatch(rule -> covers(rule, containerPorts.get("http"), containerPorts) && rule.getFrom().isEmpty());
            assertThat(channelsOpen).as(name + ": the channels reachable from anywhere").isEqualTo(name.equals("intake-edge"));
        }
    }

    @Test
    void kedaScalesTheProcessorOnItsConsumerGroupsLag() {
        List<GenericKubernetesResource> scaled = applied.stream()
                .filter(GenericKubernetesResource.class::isInstance).map(GenericKubernetesResource.class::cast).toList();
        assertThat(scaled).hasSize(1);
        GenericKubernetesResource scaledObject = scaled.get(0);
        assertThat(scaledObject.getApiVersion()).isEqualTo("keda.sh/v1alpha1");
        assertThat(scaledObject.getKind()).isEqualTo("ScaledObject");
        assertThat(scaledObject.getMetadata().getName()).isEqualTo("intake-processor");
        // KEDA's CRD is not in fabric8's model: its fields are checked by name here
        assertThat(scaledObject.getAdditionalProperties().keySet()).containsExactly("spec");
        Map<String, Object> spec = map(scaledObject.getAdditionalProperties().get("spec"));
        assertThat(spec.keySet()).isSubsetOf("scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod",
                "idleReplicaCount", "minReplicaCount", "maxReplicaCount", "fallback", "advanced", "triggers");
        Map<String, Object> target = map(spec.get("scaleTargetRef"));
        assertThat(target.keySet()).isSubsetOf("apiVersion", "kind", "name", "envSourceContainerName");
        assertThat(target).containsEntry("name", "intake-processor");
        assertThat(target.getOrDefault("kind", "Deployment")).isEqualTo("Deployment");
        assertThat(spec).containsEntry("minReplicaCount", 2).containsEntry("maxReplicaCount", 12);

        List<?> triggers = (List<?>) spec.get("triggers");
        assertThat(triggers).hasSize(1);
        Map<String, Object> trigger = map(triggers.get(0));
        assertThat(trigger.keySet()).isSubsetOf("type", "name", "metadata", "authenticationRef", "metricType", "useCachedMetrics");
        assertThat(trigger).containsEntry("type", "kafka");
        Map<String, Object> metadata = map(trigger.get("metadata"));
        // KEDA's kafka scaler parameters (https://keda.sh/docs/latest/scalers/apache-kafka/)
        assertThat(metadata.keySet()).isSubsetOf("bootstrapServers", "bootstrapServersFromEnv", "consumerGroup",
                "consumerGroupFromEnv", "topic", "topicFromEnv", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
                "allowIdleConsumers", "excludePersistentLag", "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag",
                "partitionLimitation", "version", "sasl", "tls");
        assertThat(metadata).containsEntry("consumerGroup", app.string("intake.consumer.group-id"))
                .containsEntry("topic", app.string("intake.topics.tickets"))
                .containsEntry("lagThreshold", "100");
        // the same brokers as the consumer: the variable the application reads, set in the processor's pod
        String brokersVariable = app.placeholder("camel.component.kafka.brokers").variable();
        assertThat(metadata).containsEntry("bootstrapServersFromEnv", brokersVariable).doesNotContainKey("bootstrapServers");
        assertThat(container(byName(Deployment.class, "intake-processor")).getEnvFrom())
                .anyMatch(from -> from.getConfigMapRef() != null
                        && configMap(from.getConfigMapRef().getName()).getData().containsKey(brokersVariable));
        // counted as the consumer counts a group without offsets
        Matcher reset = Pattern.compile("autoOffsetReset:\\s*(\\w+)")
                .matcher(ApplicationSettings.read(ROOT.resolve("src/main/resources/routes/tickets.camel.yaml")));
        assertThat(reset.find()).isTrue();
        assertThat(metadata).containsEntry("offsetResetPolicy", reset.group(1));

        // every replica KEDA adds up to its maximum is a consumer that gets partitions
        int threads = Integer.parseInt(env(container(byName(Deployment.class, "intake-processor")), "INTAKE_CONSUMER_THREADS"));
        assertThat((Integer) spec.get("maxReplicaCount") * threads).isLessThanOrEqualTo(Integer.parseInt(app.string("intake.topics.partitions")));
    }

    // --- parsing and lookups

    static HasMetadata strict(Object document) {
        Map<String, Object> map = map(document);
        String type = map.get("apiVersion") + "/" + map.get("kind");
        if (type.equals("keda.sh/v1alpha1/ScaledObject")) {
            return GENERIC.convertValue(map, GenericKubernetesResource.class);
        }
        Class<? extends HasMetadata> model = MODEL.get(type);
        if (model == null) {
            throw new AssertionError("A manifest of a kind this test does not know: " + type);
        }
        return STRICT.convertValue(map, model);
    }

    static List<String> kustomizationResources() {
        Map<String, Object> kustomization = map(ApplicationSettings.yaml(DIR.resolve("kustomization.yaml")));
        assertThat(kustomization).containsEntry("kind", "Kustomization");
        return ((List<?>) kustomization.get("resources")).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node) {
        assertThat(node).isInstanceOf(Map.class);
        return (Map<String, Object>) node;
    }

    static <T extends HasMetadata> List<T> of(Class<T> type) {
        return applied.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static <T extends HasMetadata> T byName(Class<T> type, String name) {
        return of(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("No " + type.getSimpleName() + " " + name));
    }

    static List<Deployment> deployments() {
        return of(Deployment.class);
    }

    static PodSpec pod(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec();
    }

    static Map<String, String> labelsOf(Deployment deployment) {
        return deployment.getSpec().getTemplate().getMetadata().getLabels();
    }

    static List<Deployment> selects(Map<String, String> matchLabels) {
        return deployments().stream().filter(d -> labelsOf(d).entrySet().containsAll(matchLabels.entrySet())).toList();
    }

    static Container container(Deployment deployment) {
        List<Container> containers = pod(deployment).getContainers();
        assertThat(containers).as(deployment.getMetadata().getName()).hasSize(1);
        return containers.get(0);
    }

    static Set<String> envNames(Deployment deployment) {
        return container(deployment).getEnv().stream().map(EnvVar::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue)
                .filter(Objects::nonNull).findFirst()
                .orElseThrow(() -> new AssertionError(container.getName() + " sets no " + name));
    }

    static Map<String, Integer> ports(Container container) {
        return container.getPorts().stream().collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
    }

    static ConfigMap configMap(String name) {
        return byName(ConfigMap.class, name);
    }

    static Secret exampleSecret(String name) {
        return exampleSecrets.stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("Secret " + name + " is not described in " + EXAMPLE));
    }

    static void assertProbe(Container container, Probe probe, String path, int managementPort, String deployment) {
        assertThat(probe).as(deployment).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get.getPath()).as(deployment).isEqualTo(path);
        assertThat(get.getPort().getStrVal()).as(deployment).isEqualTo("management");
        assertThat(ports(container)).as(deployment).containsEntry("management", managementPort);
    }

    static boolean covers(NetworkPolicyIngressRule rule, int port, Map<String, Integer> containerPorts) {
        if (rule.getPorts().isEmpty()) {
            return true;
        }
        return rule.getPorts().stream().anyMatch(p -> {
            IntOrString value = p.getPort();
            int number = value.getIntVal() != null ? value.getIntVal() : containerPorts.getOrDefault(value.getStrVal(), -1);
            return number == port;
        });
    }

    /** A quantity's amount: bytes for memory, cores for cpu ("500m" is 0.5). */
    static BigDecimal amount(Quantity quantity) {
        return Quantity.getAmountInBytes(quantity);
    }
}
