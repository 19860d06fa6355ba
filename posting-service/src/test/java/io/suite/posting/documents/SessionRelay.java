package io.suite.posting.documents;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay between posting-service and PostgreSQL that can make a replica late to hear that its sessions
 * ended, as when the fence ends them while the replica is stalled: while {@link #stall stalled}, what the server
 * sends (the FATAL of a session it ends, and its close) stays in the relay, and the replica learns of it only with
 * the answer to the next statement it sends on that connection. Then it hears of all the others too, as a replica
 * that catches up, so a connection taken afterwards is a fresh one.
 */
final class SessionRelay implements AutoCloseable {
    private final int serverPort;
    private final int port;
    private volatile ServerSocket listener;
    private final Set<Pair> pairs = ConcurrentHashMap.newKeySet();

    SessionRelay(int serverPort) throws IOException {
        this.serverPort = serverPort;
        listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        port = listener.getLocalPort();
        ServerSocket l = listener;
        daemon(() -> accept(l));
    }

    int port() {
        return port;
    }

    /** Refuses new connections, as the server does while it is down (the relay would accept, then close them). */
    void refuse() throws IOException {
        listener.close();
    }

    /** Accepts new connections again, on the same port. */
    void open() throws IOException {
        ServerSocket l = new ServerSocket();
        l.setReuseAddress(true);
        l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 100);
        listener = l;
        daemon(() -> accept(l));
    }

    /**
     * From now on what the server sends on the connections open now is held back until the replica's next
     * statement on that connection (new connections are not stalled: the replica's catching up opens them).
     */
    void stall() {
        pairs.forEach(Pair::stall);
    }

    /** The replica hears everything held back: ended sessions close. */
    void catchUp() {
        pairs.forEach(Pair::deliver);
    }

    private void accept(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server;
                try {
                    server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
                } catch (IOException down) {
                    client.close();
                    continue;
                }
                Pair p = new Pair(client, server);
                pairs.add(p);
                daemon(p::calls);
                daemon(p::answers);
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** One connection of the replica and its session at the server. */
    private final class Pair {
        final Socket client;
        final Socket server;
        final ByteArrayOutputStream held = new ByteArrayOutputStream();
        boolean stalled;
        /** The server closed the session while stalled: the replica does not know yet. */
        boolean ended;

        Pair(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void calls() {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = client.getInputStream();
                    OutputStream out = server.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    boolean late;
                    synchronized (this) {
                        late = ended;
                    }
                    if (late) { // a statement on an ended session: its answer is what the server said last
                        catchUp();
                        return;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // closed
            } finally {
                close();
            }
        }

        void answers() {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = server.getInputStream()) {
                OutputStream out = client.getOutputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (this) {
                        if (stalled || held.size() > 0) {
                            held.write(buffer, 0, n);
                        } else {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    }
                }
                synchronized (this) {
                    if (stalled) {
                        ended = true;
                        return; // the replica's side stays open until it catches up
                    }
                }
            } catch (IOException e) {
                // closed
            }
            deliver();
            close();
        }

        synchronized void stall() {
            stalled = true;
        }

        /** Writes what was held back; an ended session then closes. */
        synchronized void deliver() {
            stalled = false;
            try {
                if (held.size() > 0) {
                    client.getOutputStream().write(held.toByteArray());
                    client.getOutputStream().flush();
                    held.reset();
                }
            } catch (IOException e) {
                // closed
            }
            if (ended) {
                close();
            }
        }

        void close() {
            pairs.remove(this);
            for (Socket s : new Socket[] {client, server}) {
                try {
                    s.close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "session-relay");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        catchUp();
        listener.close();
        pairs.forEach(Pair::close);
    }
}
