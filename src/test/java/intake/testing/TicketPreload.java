package intake.testing;

import intake.ticket.TicketCodec;
import intake.ticket.TicketEvent;
import intake.ticket.Tickets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * For bench/: writes N distinct TicketEvents (Avro single-object encoded, keyed by one of 5,000
 * customers) to fte.tickets.incoming, creating it with 12 partitions when missing.
 */
public final class TicketPreload {

    private TicketPreload() {
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int count = Integer.parseInt(args[1]);
        String topic = args.length > 2 ? args[2] : "fte.tickets.incoming";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            if (!admin.listTopics().names().get().contains(topic)) {
                admin.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get();
            }
        }
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        Instant now = Instant.now();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < count; i++) {
                String customer = "customer-" + (i % 5000) + "@bench.example";
                TicketEvent ticket = Tickets.newTicket("webhook", "bench", "bench-" + now.toEpochMilli() + "-" + i, "bench-" + i, now)
                        .setCustomerId(customer)
                        .setSubject("Order " + i)
                        .setBody("My order " + i + " has not arrived; the tracking page shows no update since Monday.")
                        .build();
                producer.send(new ProducerRecord<>(topic, customer, TicketCodec.encode(ticket)));
            }
            producer.flush();
        }
        System.out.println("Preloaded " + count + " tickets on " + topic);
    }
}
