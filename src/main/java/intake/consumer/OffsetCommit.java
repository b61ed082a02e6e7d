package intake.consumer;

import org.apache.camel.Header;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;

/** Commits the consumed record's offset: the last step, once the ticket is processed or dead-lettered. */
public class OffsetCommit {

    public void commit(@Header(KafkaConstants.MANUAL_COMMIT) KafkaManualCommit commit) {
        if (commit == null) {
            throw new IllegalStateException("No Kafka manual commit on the exchange: the consumer needs allowManualCommit=true");
        }
        commit.commit();
    }
}
