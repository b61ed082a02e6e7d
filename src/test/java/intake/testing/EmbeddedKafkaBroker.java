package intake.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.properties.MetaPropertiesEnsemble;
import org.apache.kafka.metadata.storage.Formatter;

/** A real single-node Apache Kafka 3.9 broker (KRaft, combined broker+controller) run in-process on 127.0.0.1. */
// Why our own rather than spring-kafka-test's EmbeddedKafkaKraftBroker or Kafka's KafkaClusterTestKit:
// the local run needs a fixed, known broker port; the fault tests need to stop the broker and start it
// again on the same ports with the same data directory (both of those pick random ports and throw the
// data away); and this needs nothing but the kafka_2.13 jar, not another test framework dependency.
public final class EmbeddedKafkaBroker implements AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Bound on start(): Kafka's own startup (server.max.startup.time.ms) and then the readiness check. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final int brokerPort;
    private final int controllerPort;
    private final Path dataDir;
    private final Path logDir;
    private final Map<String, String> extraConfig = new LinkedHashMap<>();

    private KafkaRaftServer server; // guarded by this
    private volatile boolean running;

    private EmbeddedKafkaBroker(int brokerPort, int controllerPort, Path dataDir) {
        if (brokerPort == controllerPort) {
            throw new IllegalArgumentException("broker and controller need different ports, got " + brokerPort);
        }
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.dataDir = dataDir.toAbsolutePath();
        this.logDir = this.dataDir.resolve("kafka-logs");
    }

    /** Broker and controller on free 127.0.0.1 ports; Kafka's data under {@code dataDir/kafka-logs}. */
    public static EmbeddedKafkaBroker onFreePorts(Path dataDir) {
        int[] ports = freePorts(2);
        return new EmbeddedKafkaBroker(ports[0], ports[1], dataDir);
    }

    /** Broker on the given port, controller on a free port; Kafka's data under {@code dataDir/kafka-logs}. */
    public static EmbeddedKafkaBroker onPort(int brokerPort, Path dataDir) {
        if (brokerPort <= 0 || brokerPort > 65535) {
            throw new IllegalArgumentException("invalid broker port " + brokerPort);
        }
        int controllerPort;
        do {
            controllerPort = freePorts(1)[0];
        } while (controllerPort == brokerPort);
        return new EmbeddedKafkaBroker(brokerPort, controllerPort, dataDir);
    }

    /** Extra broker config (e.g. num.partitions); takes effect at the next start(). */
    public synchronized EmbeddedKafkaBroker withConfig(String key, String value) {
        extraConfig.put(key, value);
        return this;
    }

    /**
     * Formats the storage on the first start only (the cluster id stays in the data dir), starts the
     * broker and waits until it answers a metadata request and every partition has a leader again.
     */
    public synchronized EmbeddedKafkaBroker start() {
        // Right after a stop the kernel may not have released the listening ports yet: try again briefly.
        for (int attempt = 1; ; attempt++) {
            try {
                return startOnce();
            } catch (IllegalStateException e) {
                if (attempt >= 10 || !causedByBind(e)) {
                    throw e;
                }
                sleepQuietly(500);
            }
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException) {
                return true;
            }
        }
        return false;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to restart the broker", e);
        }
    }

    private EmbeddedKafkaBroker startOnce() {
        if (server != null) {
            return this;
        }
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        KafkaRaftServer starting = null;
        try {
            Files.createDirectories(logDir);
            KafkaConfig config = KafkaConfig.fromProps(brokerProperties(), false);
            formatIfNeeded();
            starting = new KafkaRaftServer(config, Time.SYSTEM);
            starting.startup();
            server = starting;
            running = true;
            awaitReady(deadline);
            return this;
        } catch (RuntimeException | IOException | Error e) {
            if (starting != null) {
                shutdownQuietly(starting);
            }
            server = null;
            running = false;
            throw new IllegalStateException("Embedded Kafka broker on " + bootstrapServers()
                    + " (controller port " + controllerPort + ", data " + logDir + ") failed to start: " + e, e);
        }
    }

    /** Clean (controlled) shutdown; returns when the broker has stopped; the data stays; idempotent. */
    public synchronized void stop() {
        KafkaRaftServer stopping = server;
        if (stopping == null) {
            return;
        }
        running = false;
        server = null;
        stopping.shutdown();
        stopping.awaitShutdown();
    }

    public boolean isRunning() {
        return running;
    }

    public String bootstrapServers() {
        return HOST + ":" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public void close() {
        stop();
    }

    /** {@code EmbeddedKafkaBroker <port> <dataDir>}: runs a broker in the foreground until SIGTERM. */
    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2) {
            System.err.println("usage: EmbeddedKafkaBroker <port> <dataDir>");
            System.exit(2);
        }
        EmbeddedKafkaBroker broker = onPort(Integer.parseInt(args[0]), Path.of(args[1]));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.stop();
            } finally {
                stopped.countDown();
            }
        }, "embedded-kafka-shutdown"));
        try {
            broker.start();
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("Kafka broker ready on " + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + brokerPort);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("server.max.startup.time.ms", String.valueOf(START_TIMEOUT.toMillis()));
        // single node: every replication factor and ISR minimum is 1
        p.put("default.replication.factor", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("min.insync.replicas", "1");
        // the application creates its topics; a typo must not silently create one
        p.put("auto.create.topics.enable", "false");
        // fast start, fast first consumer group, small footprint. Heartbeat/session timeouts stay at
        // their defaults: the controller gives a heartbeat half the heartbeat interval, so a shorter
        // interval gets the broker fenced on a busy CI machine.
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        // KRaft controlled shutdown asks the in-process controller (~0.1 s on one node); the
        // controlled.shutdown.max.retries / retry.backoff.ms settings only apply to ZooKeeper mode
        p.put("controlled.shutdown.enable", "true");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        p.put("background.threads", "4");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        p.putAll(extraConfig);
        return p;
    }

    private void formatIfNeeded() throws IOException {
        if (Files.exists(logDir.resolve(MetaPropertiesEnsemble.META_PROPERTIES_NAME))) {
            return; // formatted on an earlier start: keep its cluster id, topics and records
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .setMetadataLogDirectory(logDir.toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setIgnoreFormatted(true)
                    .run();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("formatting " + logDir + " failed: " + e.getMessage(), e);
        }
    }

    /** Until the broker answers a metadata request (listTopics) and every partition it lists has a leader. */
    private void awaitReady(long deadline) {
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 200,
                AdminClientConfig.CLIENT_ID_CONFIG, "embedded-kafka-readiness");
        Exception last = null;
        try (Admin admin = Admin.create(adminConfig)) {
            do {
                try {
                    Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true).timeoutMs(2000))
                            .names().get(3, TimeUnit.SECONDS);
                    if (topics.isEmpty() || allPartitionsHaveLeaders(admin.describeTopics(topics,
                            new DescribeTopicsOptions().timeoutMs(2000)).allTopicNames().get(3, TimeUnit.SECONDS).values())) {
                        return;
                    }
                    last = null;
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(50);
            } while (System.nanoTime() < deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker to be ready", e);
        }
        throw new IllegalStateException("broker did not answer metadata requests with a leader for every partition within "
                + START_TIMEOUT.toSeconds() + "s of start()" + (last == null ? "" : ": " + last), last);
    }

    private static boolean allPartitionsHaveLeaders(Collection<TopicDescription> topics) {
        for (TopicDescription topic : topics) {
            for (TopicPartitionInfo partition : topic.partitions()) {
                if (partition.leader() == null || partition.leader().isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException | Error ignored) {
            // already failing; the start() exception says why
        }
    }

    private static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 50, InetAddress.getByName(HOST));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // best effort
                    }
                }
            }
        }
    }
}
