package intake.camelmain;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A blocking {@link InputStream} over a paused Vert.x request, read by the route on a worker
 * thread. It asks Vert.x for one chunk at a time ({@code fetch(1)}) and only when the reader has
 * used up the previous one, so at most one chunk is held here, and once its own small inbound buffer
 * is full Vert.x stops reading the socket while nobody reads: a caller that sends more than its
 * channel's limit is not read much past the point where {@code HttpIngress} stops.
 *
 * <p>Vert.x calls its handlers on the request's event loop; the reader waits on this object's lock.
 * Everything the two threads share (the current chunk, end, failure) is read and written under that
 * lock, and every call into Vert.x is made on the event loop ({@link Context#runOnContext}).
 */
final class RequestBodyStream extends InputStream {

    private final HttpServerRequest request;
    private final Context context;
    private final long idleTimeoutNanos;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // guarded by lock
    private Buffer chunk;
    private int position;
    private boolean fetching;
    private boolean ended;
    private Throwable failure;
    private boolean closed;

    /**
     * @param request     paused, its body not read yet (NoOpHttpRequestBodyHandler's), from a thread
     *                    other than its event loop
     * @param idleTimeout the longest a read waits for the next chunk: a caller that stalls mid-body
     *                    then costs a worker thread this long at most
     */
    RequestBodyStream(HttpServerRequest request, Duration idleTimeout) {
        this.request = request;
        this.context = contextOf(request);
        this.idleTimeoutNanos = idleTimeout.toNanos();
        if (Context.isOnEventLoopThread()) {
            // a read would block the very thread that has to deliver the bytes
            throw new IllegalStateException("A request body cannot be read as a blocking stream on its event loop");
        }
        context.runOnContext(v -> {
            try {
                request.handler(this::onChunk);
                request.endHandler(this::onEnd);
                // also what Vert.x reports when the connection closes before the body ended
                request.exceptionHandler(this::onFailure);
            } catch (RuntimeException e) {
                // Vert.x refuses handlers on a request whose body something else has read already
                onFailure(e);
            }
        });
    }

    // Vert.x 4's public API has no way from a request to the context its handlers run on; Camel
    // builds this stream on a worker of executeBlocking, whose current context is the same one
    private static Context contextOf(HttpServerRequest request) {
        if (request instanceof HttpServerRequestInternal internal) {
            return internal.context();
        }
        Context current = Vertx.currentContext();
        if (current == null) {
            throw new IllegalStateException("No Vert.x context for the request " + request.uri());
        }
        return current;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, into.length);
        if (length == 0) {
            return 0;
        }
        lock.lock();
        try {
            long waitNanos = idleTimeoutNanos;
            while (true) {
                if (closed) {
                    throw new IOException("The request body stream is closed");
                }
                if (chunk != null) {
                    int n = Math.min(length, chunk.length() - position);
                    chunk.getBytes(position, position + n, into, offset);
                    position += n;
                    if (position == chunk.length()) {
                        chunk = null;
                        position = 0;
                    }
                    return n;
                }
                if (failure != null) {
                    throw failure instanceof IOException io ? new IOException(io.getMessage(), io)
                            : new IOException("The request failed while its body was read", failure);
                }
                if (ended) {
                    return -1;
                }
                if (!fetching) {
                    fetching = true;
                    context.runOnContext(v -> fetchOne());
                }
                if (waitNanos <= 0) {
                    failure = new IOException("No byte of the request body for " + Duration.ofNanos(idleTimeoutNanos));
                    continue;
                }
                waitNanos = changed.awaitNanos(waitNanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for the request body");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return chunk == null ? 0 : chunk.length() - position;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops what is held here. The rest of an unfinished body stays unread, the request paused, until
     * the answer is sent ({@link VertxRequestBodies} then drains or closes the connection).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            chunk = null;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // on the event loop
    private void fetchOne() {
        try {
            request.fetch(1);
        } catch (RuntimeException e) {
            // Vert.x refuses a fetch once the request is over; its end or failure is on its way
            onFailure(e);
        }
    }

    private void onChunk(Buffer data) {
        lock.lock();
        try {
            fetching = false;
            // an empty chunk is no byte: the next read fetches again rather than return 0
            if (!closed && data.length() > 0) {
                chunk = data;
                position = 0;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onEnd(Void ignored) {
        lock.lock();
        try {
            fetching = false;
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onFailure(Throwable cause) {
        lock.lock();
        try {
            fetching = false;
            if (failure == null && !ended) {
                failure = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
