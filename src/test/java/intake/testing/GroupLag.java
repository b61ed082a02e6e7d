package intake.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * For bench/: prints a consumer group's lag on a topic (end offsets minus committed offsets, a
 * partition the group never committed counted from the beginning). With {@code --to-end} it first
 * commits the group at the end of the topic, so an instance started next processes only what
 * arrives after (the group must have no live member then).
 */
public final class GroupLag {

    private GroupLag() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: GroupLag <bootstrap-servers> <group> <topic> [--to-end]");
            System.exit(2);
        }
        String group = args[1];
        String topic = args[2];
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(java.util.List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS).get(topic).partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(20, TimeUnit.SECONDS);
            if (args.length > 3 && "--to-end".equals(args[3])) {
                Map<TopicPartition, OffsetAndMetadata> atEnd = new HashMap<>();
                ends.forEach((partition, end) -> atEnd.put(partition, new OffsetAndMetadata(end.offset())));
                admin.alterConsumerGroupOffsets(group, atEnd).all().get(20, TimeUnit.SECONDS);
            }
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(20, TimeUnit.SECONDS);
            long lag = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
                OffsetAndMetadata offset = committed.get(end.getKey());
                lag += end.getValue().offset() - (offset == null ? 0 : offset.offset());
            }
            System.out.println(lag);
        }
    }
}
