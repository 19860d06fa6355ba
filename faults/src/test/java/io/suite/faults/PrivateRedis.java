package io.suite.faults;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.suite.testing.ServiceProcess;
import io.suite.testing.Signals;

import static org.awaitility.Awaitility.await;

/**
 * A redis-server of the fault suite's own on a free port, configured as the suite runs Redis (no
 * persistence: a crash loses every lock), so it can be frozen or killed without touching the shared 6379.
 * Its clients reach it through a {@link RedisRelay}, which can hold back its answers.
 */
final class PrivateRedis implements AutoCloseable {
    private final int port = FreePort.get();
    private final RedisRelay relay = new RedisRelay(port);
    private final Path log;
    private Process process;

    private PrivateRedis() throws IOException {
        Path dir = ServiceProcess.repositoryRoot().resolve("target/redis");
        Files.createDirectories(dir);
        log = dir.resolve("redis-" + port + ".log");
    }

    static PrivateRedis start() {
        try {
            PrivateRedis redis = new PrivateRedis();
            redis.restart();
            return redis;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where clients connect: the relay. */
    String url() {
        return "redis://127.0.0.1:" + relay.port();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Starts it (again after {@link #kill}) on the same port, empty; returns once it accepts connections. */
    void restart() {
        relay.releaseAnswers();
        try {
            process = new ProcessBuilder(List.of(
                            "redis-server",
                            "--bind",
                            "127.0.0.1",
                            "--port",
                            String.valueOf(port),
                            "--save",
                            "",
                            "--appendonly",
                            "no"))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start redis-server", e);
        }
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("redis-server exited; see " + log);
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    /** Freezes it (SIGSTOP): connections stay open and nothing answers. */
    void pause() {
        Signals.send("STOP", process.pid());
    }

    /**
     * Redis runs every call it gets but its answers are held back, as when it stalls right after running a call:
     * its clients give up on calls that took effect. {@link #resume} lets the answers through.
     */
    void holdAnswers() {
        relay.holdAnswers();
    }

    /** Thaws it and lets its answers through. */
    void resume() {
        Signals.send("CONT", process.pid());
        relay.releaseAnswers();
    }

    /** SIGKILL: every key is gone (no persistence), as with a crash or a failover to an empty replica. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        relay.close();
        if (process.isAlive()) {
            resume();
            kill();
        }
    }
}
