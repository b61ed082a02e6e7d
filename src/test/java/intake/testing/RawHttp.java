package intake.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http cannot do: a request whose declared body is
 * withheld, or a chunked body streamed until the server stops taking it, counting the bytes the
 * server let in (an upper bound of what it read: it cannot read what it was not sent).
 */
public final class RawHttp {

    /** What the server answered, and how many body bytes the client managed to send before that ended. */
    public record Answer(int status, Map<String, String> headers, String body, long bodyBytesSent) {
    }

    private RawHttp() {
    }

    /**
     * Sends the request head with {@code Content-Length: declaredLength} and no body at all: an
     * answer proves the server decided without reading the body (reading would wait for bytes that never come).
     */
    public static Answer withheldBody(int port, String method, String path, long declaredLength, String... headers) {
        try (Socket socket = socket(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(head(method, path, headers, "Content-Length: " + declaredLength));
            out.flush();
            return read(socket.getInputStream(), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends the request head with {@code Content-Length: declaredLength} and keeps the body back
     * until the returned socket is closed: the server waits for it meanwhile, holding whatever it
     * took for the request.
     */
    public static Socket heldBody(int port, String path, long declaredLength, String... headers) {
        try {
            Socket socket = socket(port);
            socket.getOutputStream().write(head("POST", path, headers, "Content-Length: " + declaredLength));
            socket.getOutputStream().flush();
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Streams a chunked body of up to {@code totalBytes} while reading the answer; stops once the server answered and closed. */
    public static Answer chunkedBody(int port, String path, long totalBytes, String... headers) {
        AtomicLong sent = new AtomicLong();
        try (Socket socket = socket(port)) {
            OutputStream out = socket.getOutputStream();
            out.write(head("POST", path, headers, "Transfer-Encoding: chunked"));
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'a');
                byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    while (sent.get() < totalBytes) {
                        out.write(size);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                        sent.addAndGet(chunk.length);
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException closedByServer) {
                    // the server stopped taking the body: what was sent is counted
                }
            }, "raw-http-writer");
            writer.setDaemon(true);
            writer.start();
            Answer answer = read(socket.getInputStream(), 0);
            // The server closes the connection after at most its swallow limit; the writer then fails.
            writer.join(60_000);
            if (writer.isAlive()) {
                throw new AssertionError("The server still reads the body after answering " + answer.status()
                        + ": " + sent.get() + " bytes so far");
            }
            return new Answer(answer.status(), answer.headers(), answer.body(), sent.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Sends each request, head and body as given, on one connection and reads its answer before the
     * next: a later answer proves the server was ready for another request on the same connection.
     */
    public static List<Answer> onOneConnection(int port, byte[]... requests) {
        List<Answer> answers = new ArrayList<>();
        try (Socket socket = socket(port)) {
            for (byte[] request : requests) {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                answers.add(read(socket.getInputStream(), 0));
            }
            return answers;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A POST with {@code Content-Length} and the given body, for {@link #onOneConnection}. */
    public static byte[] post(String path, byte[] body, String... headers) {
        byte[] head = head("POST", path, headers, "Content-Length: " + body.length);
        byte[] request = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    private static Socket socket(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static byte[] head(String method, String path, String[] headers, String framing) {
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + framing + "\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Answer read(InputStream in, long sent) throws IOException {
        String statusLine = line(in);
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line(in).trim(), 16); size > 0; size = Integer.parseInt(line(in).trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        }
        return new Answer(status, headers, body.toString(StandardCharsets.UTF_8), sent);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("The server closed the connection mid-answer: " + line.toString(StandardCharsets.US_ASCII));
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }
}
