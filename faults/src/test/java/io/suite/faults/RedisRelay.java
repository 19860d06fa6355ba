package io.suite.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay in front of the private redis-server, which the lock replicas reach it through, so that a case can
 * lose Redis' answers after Redis has acted on the calls: while answers are held ({@link #holdAnswers}), every
 * call goes through and Redis runs it, but nothing it answers comes back until {@link #releaseAnswers}. That is a
 * Redis that stalls right after running a call (a SIGSTOP at that instant), or a connection lost after the call
 * went out: a deterministic form of what a pause only rarely hits.
 */
final class RedisRelay implements AutoCloseable {
    private final int redisPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean holding;

    RedisRelay(int redisPort) {
        this.redisPort = redisPort;
        try {
            server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        daemon(this::accept, "redis-relay-accept");
    }

    int port() {
        return server.getLocalPort();
    }

    /** From now on Redis' answers stay in the relay; the calls still reach Redis. */
    void holdAnswers() {
        synchronized (gate) {
            holding = true;
        }
    }

    /** Lets the held answers, and all later ones, through. */
    void releaseAnswers() {
        synchronized (gate) {
            holding = false;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket redis;
                try {
                    redis = new Socket(InetAddress.getLoopbackAddress(), redisPort);
                } catch (IOException down) {
                    client.close(); // Redis is down: the client sees its connection refused, as without the relay
                    continue;
                }
                open.add(client);
                open.add(redis);
                daemon(() -> pump(client, redis, false), "redis-relay-calls");
                daemon(() -> pump(redis, client, true), "redis-relay-answers");
            } catch (IOException e) {
                // closed
            }
        }
    }

    /** Copies {@code from} to {@code to} until either closes, then closes both (as a broken connection would). */
    private void pump(Socket from, Socket to, boolean answers) {
        byte[] buffer = new byte[16 * 1024];
        try (InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (answers) {
                    awaitRelease();
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // one side closed
        } finally {
            close(from);
            close(to);
        }
    }

    private void awaitRelease() throws InterruptedException {
        synchronized (gate) {
            while (holding) {
                gate.wait();
            }
        }
    }

    private void close(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    private static void daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        releaseAnswers();
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        open.forEach(this::close);
    }
}
