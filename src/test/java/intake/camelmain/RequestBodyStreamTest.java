package intake.camelmain;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestBodyStream} on a real Vert.x HTTP server on 127.0.0.1, as Camel uses it: the request
 * paused in its handler on the event loop, the stream read on a worker of executeBlocking. The
 * client is a plain socket, so a body can end, stop or break exactly where a test needs it.
 */
class RequestBodyStreamTest {

    /** Long enough never to be reached by a body that is being sent; the stall test waits it out. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);

    private static Vertx vertx;
    private static HttpServer server;
    // what the reader on the worker saw: the bytes and the reads after the end, or its exception
    private static final BlockingQueue<Object> OUTCOMES = new LinkedBlockingQueue<>();
    // one element once the reader has had its first bytes: its handlers are on the request by then
    private static final BlockingQueue<Integer> FIRST_READS = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startServer() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(RequestBodyStreamTest::readOnAWorker)
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopServer() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void noOutcomeLeftOver() {
        OUTCOMES.clear();
        FIRST_READS.clear();
    }

    private static void readOnAWorker(HttpServerRequest request) {
        request.pause();
        vertx.executeBlocking(() -> {
            // small reads, so a body arrives as many chunks and each read may wait for the next one
            try (InputStream body = new RequestBodyStream(request, IDLE_TIMEOUT)) {
                byte[] buffer = new byte[1000];
                ByteArrayOutputStream read = new ByteArrayOutputStream();
                for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                    if (read.size() == 0) {
                        FIRST_READS.add(n);
                    }
                    read.write(buffer, 0, n);
                }
                OUTCOMES.add(new Read(read.toByteArray(), new int[] {body.read(), body.read(buffer), body.read()}));
            } catch (IOException | RuntimeException e) {
                OUTCOMES.add(e);
            }
            return null;
        }, false).onComplete(done -> request.response().setStatusCode(204).end());
    }

    record Read(byte[] bytes, int[] readsAfterTheEnd) {
    }

    @Test
    void aChunkedBodyIsReadWholeAndEveryReadAfterItsEndIsMinusOne() throws Exception {
        byte[] body = new byte[3 * 1024 * 1024 + 17];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31);
        }
        try (Socket client = socket()) {
            OutputStream out = client.getOutputStream();
            out.write(head("Transfer-Encoding: chunked"));
            for (int from = 0; from < body.length; from += 50_000) {
                int size = Math.min(50_000, body.length - from);
                out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body, from, size);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            Read read = (Read) OUTCOMES.poll(30, TimeUnit.SECONDS);
            assertThat(read.bytes()).isEqualTo(body);
            assertThat(read.readsAfterTheEnd()).containsExactly(-1, -1, -1);
            assertThat(statusLine(client)).isEqualTo("HTTP/1.1 204 No Content");
        }
    }

    @Test
    void anEmptyBodyIsAtItsEndAtOnce() throws Exception {
        try (Socket client = socket()) {
            client.getOutputStream().write(head("Content-Length: 0"));
            client.getOutputStream().flush();

            Read read = (Read) OUTCOMES.poll(30, TimeUnit.SECONDS);
            assertThat(read.bytes()).isEmpty();
            assertThat(read.readsAfterTheEnd()).containsExactly(-1, -1, -1);
        }
    }

    // a body cut short must never read as a shorter complete one: its signature or JSON could still parse
    @Test
    void aConnectionClosedMidBodyIsAnIOException() throws Exception {
        try (Socket client = socket()) {
            client.getOutputStream().write(head("Content-Length: 100000"));
            client.getOutputStream().write(new byte[40_000]);
            client.getOutputStream().flush();
            assertThat(FIRST_READS.poll(30, TimeUnit.SECONDS)).isPositive();
        }

        // Vert.x's own word for the close, not the idle timeout
        assertThat(OUTCOMES.poll(30, TimeUnit.SECONDS)).asInstanceOf(InstanceOfAssertFactories.THROWABLE)
                .isInstanceOf(IOException.class).cause().isInstanceOf(HttpClosedException.class);
    }

    // the caller sends part of its body and then nothing: the worker is given back, with an IOException
    @Test
    void aCallerThatStallsMidBodyIsAnIOExceptionAfterTheIdleTimeout() throws Exception {
        try (Socket client = socket()) {
            client.getOutputStream().write(head("Content-Length: 100000"));
            client.getOutputStream().write(new byte[1000]);
            client.getOutputStream().flush();

            Object outcome = OUTCOMES.poll(30, TimeUnit.SECONDS);
            assertThat(outcome).isInstanceOf(IOException.class);
            assertThat(((IOException) outcome).getMessage()).contains("No byte of the request body for");
        }
    }

    @Test
    void readingOnTheEventLoopIsRefusedRatherThanBlockingIt() throws Exception {
        BlockingQueue<Object> refused = new LinkedBlockingQueue<>();
        HttpServer onTheEventLoop = vertx.createHttpServer().requestHandler(request -> {
            try {
                new RequestBodyStream(request, IDLE_TIMEOUT);
                refused.add("not refused");
            } catch (IllegalStateException e) {
                refused.add(e);
            }
            request.response().end();
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try (Socket client = new Socket("127.0.0.1", onTheEventLoop.actualPort())) {
            client.getOutputStream().write(head("Content-Length: 0"));
            client.getOutputStream().flush();

            assertThat(refused.poll(30, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class);
        } finally {
            onTheEventLoop.close();
        }
    }

    private static Socket socket() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.actualPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static byte[] head(String framing) {
        return ("POST /body HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String statusLine(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        byte[] line = new byte[200];
        int length = 0;
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line[length++] = (byte) b;
        }
        return new String(Arrays.copyOf(line, length), StandardCharsets.US_ASCII).trim();
    }
}
