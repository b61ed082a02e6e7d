package intake.consumer;

import static intake.testing.Records.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.TestKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** When the dead-letter topic refuses writes, the consumer stops instead of committing, and says so. */
class DeadLetterOutageTest extends IntakeIntegrationTest {

    @Autowired
    CamelContext camelContext;

    @Test
    void repeatedDeadLetterWriteFailuresStopTheConsumerUntilAnOperatorResumesIt() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            admin.deleteTopics(List.of("fte.dlq")).all().get();
            await().atMost(Duration.ofSeconds(20)).until(() -> !admin.listTopics().names().get().contains("fte.dlq"));

            RecordMetadata poison = kafka.send("fte.tickets.incoming", "k".getBytes(StandardCharsets.UTF_8),
                    "poison".getBytes(StandardCharsets.UTF_8), Map.of("intake_correlation_id", "dlq-outage-1"));

            await().atMost(Duration.ofSeconds(60)).until(() -> camelContext.getRouteController().getRouteStatus("tickets-consume") == ServiceStatus.Stopped);
            var health = Http.get(managementUrl("/actuator/health"), MONITORING);
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(health.body()).contains("ticketConsumer", "DOWN");
            assertThat(Http.get(managementUrl("/actuator/prometheus"), MONITORING).body()).containsPattern("kafka_consumer_stopped\\S* 1\\.0");
            OffsetAndMetadata committed = admin.listConsumerGroupOffsets("intake-agent").partitionsToOffsetAndMetadata().get()
                    .get(new TopicPartition("fte.tickets.incoming", poison.partition()));
            assertThat(committed == null ? 0 : committed.offset()).as("the poison pill's offset is not committed").isLessThanOrEqualTo(poison.offset());

            admin.createTopics(List.of(new NewTopic("fte.dlq", 12, (short) 1))).all().get();
            var resumed = Http.postJson(managementUrl("/actuator/ticketconsumer"), "{}", OPERATOR);
            assertThat(resumed.statusCode()).isEqualTo(200);

            var dead = kafka.awaitRecords("fte.dlq", Records.withHeader("dlq_correlation_id", "dlq-outage-1"), 1).get(0);
            assertThat(header(dead, "dlq_original_offset")).isEqualTo(Long.toString(poison.offset()));
            assertThat(Http.get(managementUrl("/actuator/health"), MONITORING).statusCode()).isEqualTo(200);
        }
    }
}
