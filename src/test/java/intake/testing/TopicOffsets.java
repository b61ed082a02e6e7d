package intake.testing;

import java.util.Arrays;
import java.util.List;

/** Prints how many records the given topics hold (sum of end offsets): the broker's own count, for bench/. */
public final class TopicOffsets {

    private TopicOffsets() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: TopicOffsets <bootstrap-servers> <topic>...");
            System.exit(2);
        }
        List<String> topics = Arrays.asList(args).subList(1, args.length);
        System.out.println(new KafkaTopics(args[0]).endOffsetSum(topics));
    }
}
