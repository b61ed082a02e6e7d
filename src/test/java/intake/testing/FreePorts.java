package intake.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Loopback ports for the servers the tests start, and closed ports for the ones they must not reach. */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port nothing listens on at the moment of the call. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
