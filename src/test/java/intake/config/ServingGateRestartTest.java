package intake.config;

import static org.assertj.core.api.Assertions.assertThat;

import intake.IntakeApplication;
import intake.testing.FreePorts;
import intake.testing.TestDatabase;
import intake.testing.TestKafka;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Intake stopped and started again on the same port while clients keep posting the web form: a
 * caller gets 202, or 503 with Retry-After and the JSON error while Intake starts or stops, or
 * no connection at all while nothing listens; never a 404 from a route not started yet or stopped already.
 */
class ServingGateRestartTest {

    private static final String SCHEMA = TestDatabase.schema();
    private static final String FORM = """
            {"name":"Ada Lovelace","email":"ada@example.com","subject":"Invoice","message":"I was charged twice."}""";
    private static final int CLIENTS = 4;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final List<String> notServingAnswersWithoutRetryAfterOrJson = new ArrayList<>();

    @Test
    void aRestartUnderLoadAnswers503WhileNotServingAndNever404() throws Exception {
        int port = FreePorts.free();
        AtomicBoolean loading = new AtomicBoolean(true);
        List<Thread> clients = new ArrayList<>();
        ConfigurableApplicationContext first = start(port);
        for (int i = 0; i < CLIENTS; i++) {
            Thread thread = new Thread(() -> {
                while (loading.get()) {
                    post(port);
                }
            }, "form-client-" + i);
            thread.start();
            clients.add(thread);
        }
        try {
            awaitAccepted(1);
            long acceptedBeforeStop = count("202");
            first.close();
            try (ConfigurableApplicationContext second = start(port)) {
                awaitAccepted(acceptedBeforeStop + 50);
            }
        } finally {
            loading.set(false);
            for (Thread thread : clients) {
                thread.join(10_000);
            }
        }

        Map<String, Long> seen = new TreeMap<>();
        answers.forEach((answer, n) -> seen.put(answer, n.get()));
        System.out.println("ServingGateRestartTest: answers over one restart under load " + seen);
        assertThat(seen.keySet()).as("answers over the restart: %s", seen).isSubsetOf("202", "503", "no connection");
        assertThat(seen).containsKey("202");
        assertThat(notServingAnswersWithoutRetryAfterOrJson).isEmpty();
    }

    private void post(int port) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/forms/support"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(FORM))
                .build();
        String answer;
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            answer = Integer.toString(response.statusCode());
            if (response.statusCode() == 503 && (response.headers().firstValue("Retry-After").isEmpty()
                    || !response.body().contains("\"error\":\"not_serving\""))) {
                synchronized (notServingAnswersWithoutRetryAfterOrJson) {
                    notServingAnswersWithoutRetryAfterOrJson.add(response.headers().map() + " " + response.body());
                }
            }
        } catch (IOException e) {
            answer = "no connection";
            pause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        answers.computeIfAbsent(answer, a -> new AtomicLong()).incrementAndGet();
    }

    // While nothing listens, a client retries a little later instead of spinning on refused connections.
    private static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long count(String answer) {
        AtomicLong n = answers.get(answer);
        return n == null ? 0 : n.get();
    }

    private void awaitAccepted(long atLeast) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> count("202") >= atLeast);
    }

    private static ConfigurableApplicationContext start(int port) {
        return new SpringApplication(IntakeApplication.class).run("--spring.profiles.active=test",
                "--server.port=" + port, "--management.server.port=0",
                "--camel.component.kafka.brokers=" + TestKafka.bootstrapServers(),
                "--spring.datasource.url=" + TestDatabase.url(SCHEMA), "--spring.datasource.username=" + TestDatabase.user(),
                "--spring.datasource.password=" + TestDatabase.password(), "--spring.flyway.schemas=" + SCHEMA);
    }
}
