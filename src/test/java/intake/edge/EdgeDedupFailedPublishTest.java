package intake.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import intake.testing.Http;
import intake.testing.IntakeIntegrationTest;
import intake.testing.Records;
import intake.testing.Signatures;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import intake.ticket.Tickets;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A delivery whose publish failed (broker and outbox both out: 503) is not remembered: its retry publishes. */
class EdgeDedupFailedPublishTest extends IntakeIntegrationTest {

    private static final String SHOP_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void theRetryOfAFailedPublishIsPublished() throws Exception {
        String webhookId = "msg_" + UUID.randomUUID();
        String ticketId = Tickets.ticketId("webhook", "shop", webhookId).toString();

        HttpResponse<String> failed;
        TestKafka.broker().stop();
        try {
            outboxTable("outbox", "outbox_away"); // the database stays up, so the claim is made and must be released
            try {
                failed = webhook(webhookId);
            } finally {
                outboxTable("outbox_away", "outbox");
            }
        } finally {
            TestKafka.broker().start();
        }
        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(503);

        HttpResponse<String> retry = webhook(webhookId);

        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(202);
        assertThat(new ObjectMapper().readTree(retry.body()).get("ticketId").asText()).isEqualTo(ticketId);
        // published now, or (the breaker still open after the outage) stored in the outbox and relayed
        kafka.awaitRecords("fte.tickets.incoming", Records.withHeader("ce_id", ticketId), 1);
        assertThat(webhook(webhookId).body()).as("and from then on answered").isEqualTo(retry.body());
    }

    private HttpResponse<String> webhook(String webhookId) {
        return Signatures.postSignedWebhook(url("/webhooks/shop"), SHOP_SECRET, webhookId,
                "{\"type\":\"message.created\",\"data\":{\"customer\":{\"email\":\"bob@example.com\"},\"message\":\"Hi\"}}");
    }

    private static void outboxTable(String from, String to) throws Exception {
        try (Connection connection = TestDatabase.postgres().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("alter table " + SCHEMA + "." + from + " rename to " + to);
        }
    }
}
