package io.suite.faults;

import java.io.IOException;
import java.net.ServerSocket;

/** A TCP port nobody listens on now, for a server the suite starts itself. */
final class FreePort {
    private FreePort() {}

    static int get() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
