package intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.IntakeProcess;
import intake.testing.KafkaTopics;
import intake.testing.Records;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.ticket.TicketEvent;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Without Spring Boot" recipe, end to end: the packaged jar started as a process of
 * its own with Spring Boot's PropertiesLauncher and {@code loader.main=intake.camelmain.IntakeCamelMain},
 * settings from the environment only. It migrates its own schema, serves the web form on Vert.x,
 * publishes the ticket to Kafka, and stops on SIGTERM. No Spring application context is started.
 */
class CamelMainLaunchIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SCHEMA = "intake_camel_main_" + ProcessHandle.current().pid();

    @TempDir
    static Path work;

    @Test
    void thePackagedJarServesTheEdgeUnderCamelMain() throws Exception {
        try (IntakeProcess intake = IntakeProcess.startOnCamelMain(work, SCHEMA, TestKafka.bootstrapServers())) {
            String ticketId = JSON.readTree(intake.awaitServing().body()).get("ticketId").asText();

            TicketEvent ticket = Records.ticket(new KafkaTopics(TestKafka.bootstrapServers())
                    .awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1).get(0));
            assertThat(ticket.getChannel()).isEqualTo("webform");
            assertThat(intake.log()).contains("Intake on Camel Main: the edge role")
                    .doesNotContain("Starting IntakeApplication", "Tomcat");
            intake.stop();
        }
    }

    @AfterAll
    static void dropSchema() {
        TestDatabase.dropSchema(SCHEMA);
    }
}
