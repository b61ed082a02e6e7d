package intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeProcess;
import intake.testing.KafkaTopics;
import intake.testing.Records;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.ticket.TicketEvent;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Without Spring Boot" recipe, end to end: the packaged jar started as a process of
 * its own with Spring Boot's PropertiesLauncher and {@code loader.main=intake.camelmain.IntakeCamelMain},
 * settings from the environment only, both roles. It migrates its own schema, serves the web form
 * on Vert.x, publishes the ticket to Kafka, decides it, and stops on SIGTERM. No Spring application context is started.
 */
class CamelMainLaunchIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "intake_camel_main_" + ProcessHandle.current().pid();

    @TempDir
    static Path work;

    @Test
    void thePackagedJarServesTheEdgeUnderCamelMain() throws Exception {
        try (IntakeProcess intake = IntakeProcess.startOnCamelMain(work, SCHEMA, TestKafka.bootstrapServers())) {
            JsonNode reply = JSON.readTree(intake.awaitServing().body());
            String ticketId = reply.get("ticketId").asText();

            TicketEvent ticket = Records.ticket(new KafkaTopics(TestKafka.bootstrapServers())
                    .awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0));
            assertThat(ticket.getChannel()).isEqualTo("webform");
            // the processor role decided it
            String statusUrl = intake.url(reply.get("statusUrl").asText());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Http.get(statusUrl).statusCode() == 200);
            assertThat(JSON.readTree(Http.get(statusUrl).body()).get("category").asText()).isEqualTo("billing");
            assertThat(intake.log()).contains("Intake on Camel Main: the roles [edge, processor]")
                    .doesNotContain("Starting IntakeApplication", "Tomcat");
            intake.stop();
        }
    }

    @AfterAll
    static void dropSchema() {
        TestDatabase.dropSchema(SCHEMA);
    }
}
