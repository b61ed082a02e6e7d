package intake.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.IntakeApplication;
import intake.testing.FailedStart;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.KafkaTopics;
import intake.testing.Records;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * intake.roles: an edge instance takes requests and never joins the consumer group; a processor
 * instance serves no channel and processes what is on the tickets topic; both by default; an
 * empty or unknown role stops start-up. Each start is a real one (the "test" profile, the
 * embedded broker, PostgreSQL), in a consumer group of its own so no other test's consumer counts.
 */
@ExtendWith(OutputCaptureExtension.class)
class RolesTest {

    /**
     * A schema of its own: the cached test contexts of this JVM consume the same topic in group
     * intake-agent, and would otherwise record their decisions where these instances look.
     */
    private static final String SCHEMA = "intake_roles_" + ProcessHandle.current().pid();

    @org.junit.jupiter.api.AfterAll
    static void dropSchema() {
        TestDatabase.dropSchema(SCHEMA);
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TICKETS = "fte.tickets.incoming";
    private static final String DECISIONS = "fte.agent.decisions";
    private static final String FORM = """
            {"name":"Ada","email":"ada.roles@example.com","subject":"Invoice","message":"I was charged twice."}""";

    private final KafkaTopics kafka = new KafkaTopics(TestKafka.bootstrapServers());

    @Test
    void anEdgeInstanceAcceptsAFormButNeverJoinsTheConsumerGroup(CapturedOutput output) throws Exception {
        String group = "roles-edge-" + UUID.randomUUID();
        try (ConfigurableApplicationContext edge = start("--intake.roles=edge", "--intake.consumer.group-id=" + group)) {
            assertThat(output.getOut()).contains("Intake runs the roles [edge] (intake.roles): edge (HTTP channels, mailbox,"
                    + " outbox relay); no processor (never joins consumer group " + group + ")");
            HttpResponse<String> accepted = Http.post(url(edge, "/forms/support"), "application/json", FORM);

            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
            String ticketId = JSON.readTree(accepted.body()).get("ticketId").asText();
            // by the header: other tests of this JVM leave records on the topic that are no tickets (poison pills)
            ConsumerRecord<String, byte[]> ticket = kafka.awaitRecords(TICKETS, Records.withHeader("ce_id", ticketId), 1).get(0);
            assertThat(ticket.key()).isEqualTo("ada.roles@example.com");
            String correlationId = JSON.readTree(accepted.body()).get("correlationId").asText();
            kafka.awaitRecords("fte.channels.webform.inbound", Records.withHeader("intake_correlation_id", correlationId), 1);

            CamelContext camel = edge.getBean(CamelContext.class);
            assertThat(camel.getRoute("tickets-consume")).isNull();
            assertThat(camel.getRoute("tickets-dead-letter")).isNull();
            assertThat(camel.getRoute("tickets-record")).isNull();
            assertThat(camel.getRoute("tickets-outputs")).isNull();
            assertThat(camel.getRoute("tickets-dedup-purge")).isNull();
            assertThat(camel.getRoute("forms-support-ingress")).isNotNull();
            assertThat(camel.getRoute("outbox-relay")).isNotNull();
            try (Admin admin = admin()) {
                ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                assertThat(description.members()).isEmpty();
                assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEmpty();
            }
            // its records are on the topic, and nothing here reads them: the ticket stays unprocessed
            assertThat(Http.get(managementUrl(edge, "/actuator/tickets/" + ticketId), IntakeIntegrationTest.OPERATOR)
                    .statusCode()).isEqualTo(404);

            JsonNode roles = health(edge, "/actuator/health/roles");
            assertThat(roles.path("status").asText()).isEqualTo("UP");
            assertThat(roles.path("details").path("roles").toString()).isEqualTo("[\"edge\"]");
            assertThat(names(roles.path("details").path("routesStarted").path("edge")))
                    .contains("forms-support-ingress", "webhooks-ingress", "whatsapp-twilio-ingress", "tickets-status",
                            "outbox-relay", "intake-dedup-purge", "intake-bypass");
            assertThat(roles.path("details").path("routesStarted").has("processor")).isFalse();
            assertThat(Http.get(managementUrl(edge, "/actuator/health/readiness")).statusCode()).isEqualTo(200);
            // the processor's operator endpoints are not there
            assertThat(Http.get(managementUrl(edge, "/actuator/ticketconsumer"), IntakeIntegrationTest.OPERATOR).statusCode())
                    .isEqualTo(404);
            assertThat(Http.postJson(managementUrl(edge, "/actuator/dlqreplay"), "{}", IntakeIntegrationTest.OPERATOR).statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void aProcessorInstanceServesNoChannelAndProcessesTheTicketsTopic() throws Exception {
        String group = "roles-processor-" + UUID.randomUUID();
        try (ConfigurableApplicationContext processor = start("--intake.roles=processor", "--intake.consumer.group-id=" + group)) {
            assertThat(Http.post(url(processor, "/forms/support"), "application/json", FORM).statusCode()).isEqualTo(404);
            assertThat(Http.get(url(processor, "/support")).statusCode()).isEqualTo(404);
            // no channel's filter either: a Twilio call without its signature is the same 404, not a 401
            assertThat(Http.post(url(processor, "/whatsapp/twilio"), "application/x-www-form-urlencoded", "Body=hi").statusCode())
                    .isEqualTo(404);

            TicketEvent ticket = Tickets.newTicket("webhook", "shop", "roles-" + UUID.randomUUID(), "corr-roles", Instant.now())
                    .setCustomerId("grace.roles@example.com").setSubject("Login").setBody("I cannot log in.").build();
            String ticketId = ticket.getTicketId().toString();
            kafka.send(TICKETS, ticket.getCustomerId().getBytes(StandardCharsets.UTF_8), Records.bytes(ticket), Map.of());

            JsonNode decision = JSON.readTree(kafka.awaitRecords(DECISIONS, r -> json(r).path("ticketId").asText().equals(ticketId), 1)
                    .get(0).value());
            assertThat(decision.path("agent").asText()).isEqualTo("triage");
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    Http.get(managementUrl(processor, "/actuator/tickets/" + ticketId), IntakeIntegrationTest.OPERATOR).statusCode() == 200);
            try (Admin admin = admin()) {
                assertThat(admin.describeConsumerGroups(List.of(group)).all().get().get(group).members()).isNotEmpty();
            }

            CamelContext camel = processor.getBean(CamelContext.class);
            assertThat(camel.getRoute("forms-support-ingress")).isNull();
            assertThat(camel.getRoute("email-ingress")).isNull();
            assertThat(camel.getRoute("outbox-relay")).isNull();
            JsonNode roles = health(processor, "/actuator/health/roles");
            assertThat(roles.path("details").path("roles").toString()).isEqualTo("[\"processor\"]");
            assertThat(names(roles.path("details").path("routesStarted").path("processor")))
                    .containsExactly("tickets-consume", "tickets-dead-letter", "tickets-dedup-purge", "tickets-outputs", "tickets-record");
            assertThat(names(roles.path("details").path("routesStarted").path("shared"))).containsExactly("intake-publish", "tickets-process");
            // ready without any HTTP channel
            assertThat(Http.get(managementUrl(processor, "/actuator/health/readiness")).statusCode()).isEqualTo(200);
            assertThat(Http.get(managementUrl(processor, "/actuator/ticketconsumer"), IntakeIntegrationTest.OPERATOR).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void byDefaultAnInstanceRunsBoth() throws Exception {
        try (ConfigurableApplicationContext both = start("--intake.consumer.group-id=roles-both-" + UUID.randomUUID())) {
            JsonNode roles = health(both, "/actuator/health/roles");

            assertThat(roles.path("details").path("roles").toString()).isEqualTo("[\"edge\",\"processor\"]");
            assertThat(names(roles.path("details").path("routesStarted").path("edge"))).contains("forms-support-ingress");
            assertThat(names(roles.path("details").path("routesStarted").path("processor"))).contains("tickets-consume");
            assertThat(Http.post(url(both, "/forms/support"), "application/json", FORM).statusCode()).isEqualTo(202);
        }
    }

    @Test
    void anUnknownOrEmptyRoleStopsStartUpNamingTheSetting() {
        assertThat(FailedStart.messages(FailedStart.of("--intake.roles=edge,gateway"))).contains("intake.roles (INTAKE_ROLES) names an unknown role"
                + " 'gateway': the roles are edge and processor");
        assertThat(FailedStart.messages(FailedStart.of("--intake.roles="))).contains("intake.roles (INTAKE_ROLES) is empty");
        assertThat(FailedStart.messages(FailedStart.of("--intake.roles= , "))).contains("intake.roles (INTAKE_ROLES) is empty");
    }

    private static ConfigurableApplicationContext start(String... args) {
        List<String> all = new ArrayList<>(List.of("--spring.profiles.active=test", "--server.port=0",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers(),
                "--spring.datasource.url=" + TestDatabase.url(SCHEMA), "--spring.datasource.username=" + TestDatabase.user(),
                "--spring.datasource.password=" + TestDatabase.password(), "--spring.flyway.schemas=" + SCHEMA));
        all.addAll(List.of(args));
        return new SpringApplication(IntakeApplication.class).run(all.toArray(String[]::new));
    }

    private static String url(ConfigurableApplicationContext context, String path) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port") + path;
    }

    private static String managementUrl(ConfigurableApplicationContext context, String path) {
        return "http://127.0.0.1:" + context.getEnvironment().getProperty("local.management.port") + path;
    }

    private static JsonNode health(ConfigurableApplicationContext context, String path) throws Exception {
        HttpResponse<String> health = Http.get(managementUrl(context, path), IntakeIntegrationTest.MONITORING);
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        return JSON.readTree(health.body());
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()));
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> record) {
        try {
            return JSON.readTree(record.value());
        } catch (Exception e) {
            return JSON.nullNode();
        }
    }
}
