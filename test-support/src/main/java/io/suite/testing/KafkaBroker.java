package io.suite.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.Uuid;

import static org.awaitility.Awaitility.await;

/**
 * A second real Kafka broker (KRaft, one node) as its own process, for tests that take Kafka
 * away and bring it back: {@link #kill()} is a crash, {@link #restart()} comes back on the same
 * port with the same data. It runs the broker {@code ./suite infra} fetched ({@code data/kafka/libs})
 * with the suite's {@code infra/kafka/server.properties}, on free ports and its own storage.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path root = ServiceProcess.repositoryRoot();
    private final Path dir;
    private final Path props;
    private final int port = ServiceProcess.freePort();
    private Process process;

    private KafkaBroker() throws IOException {
        dir = root.resolve("target/kafka-brokers").resolve(UUID.randomUUID().toString());
        Files.createDirectories(dir);
        int controller = ServiceProcess.freePort();
        String config = Files.readString(root.resolve("infra/kafka/server.properties"))
                        .replace("127.0.0.1:9093", "127.0.0.1:" + controller)
                        .replace("127.0.0.1:9092", "127.0.0.1:" + port)
                        .replaceAll("(?m)^log\\.dirs=.*$", "")
                + "\nlog.dirs=" + dir.resolve("log") + "\n"
                // A broker restarted after a kill cannot register again until its old session has expired
                // (KRaft refuses a second incarnation of the same id meanwhile): 9 s by default, 3 s here.
                + "broker.session.timeout.ms=3000\nbroker.heartbeat.interval.ms=500\n";
        props = dir.resolve("server.properties");
        Files.writeString(props, config);
    }

    /** Formats a new storage and starts the broker; fails when {@code ./suite infra} has not fetched Kafka. */
    public static KafkaBroker start() {
        try {
            KafkaBroker broker = new KafkaBroker();
            Process format = broker.java(
                            "kafka.tools.StorageTool",
                            "format",
                            "-t",
                            Uuid.randomUuid().toString(),
                            "-c",
                            broker.props.toString(),
                            "--standalone")
                    .start();
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                throw new IllegalStateException("could not format Kafka storage in " + broker.dir);
            }
            broker.restart();
            return broker;
        } catch (IOException e) {
            throw new IllegalStateException("could not start a Kafka broker", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Kills the broker at once, as a crash would. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Freezes the broker (SIGSTOP): connections stay open and nothing answers, as with a stuck host. */
    public void pause() {
        Signals.send("STOP", process.pid());
    }

    /** Thaws a paused broker (SIGCONT). */
    public void resume() {
        Signals.send("CONT", process.pid());
    }

    /** Starts the broker again on the same port with the same data; returns when it accepts connections. */
    public void restart() {
        try {
            process = java("kafka.Kafka", props.toString()).start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start Kafka", e);
        }
        try {
            awaitListening();
        } catch (RuntimeException e) {
            // not up in time: kill it, or a second start on the same storage would corrupt its log
            kill();
            throw e;
        }
    }

    private void awaitListening() {
        await().atMost(Duration.ofSeconds(180))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException(
                                "Kafka exited with " + process.exitValue() + "; see " + dir.resolve("broker.log"));
                    }
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                        return true;
                    } catch (IOException e) {
                        return false;
                    }
                });
    }

    private ProcessBuilder java(String main, String... args) {
        Path libs = root.resolve("data/kafka/libs");
        if (!Files.exists(libs.resolve(".complete"))) {
            throw new IllegalStateException(libs + " is missing: run ./suite infra first");
        }
        List<String> cmd = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m"));
        cmd.addAll(ServiceProcess.TEST_JVM);
        cmd.addAll(List.of(
                "-Dkafka.logs.dir=" + dir.resolve("logs"),
                "-Dlog4j2.configurationFile=" + root.resolve("infra/kafka/log4j2.properties"),
                "-cp",
                libs + "/*",
                main));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("broker.log").toFile()));
    }

    @Override
    public void close() {
        kill();
    }
}
