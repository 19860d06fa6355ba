package io.suite.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import io.suite.testing.KafkaBroker;
import io.suite.testing.PrivatePostgres;
import io.suite.testing.ServiceProcess;
import io.suite.testing.Unique;

/**
 * The suite as real processes on servers of its own, so that any of them can be frozen, killed or
 * restarted without touching the servers other tests share: a PostgreSQL cluster (the suite's real
 * roles, so the database fence revokes posting_writer here), a redis-server, a Kafka broker;
 * maintenance-service, two lock-service replicas and two posting-service replicas (A locks through
 * lock A, B through lock B). One suite serves every fault class of a run ({@link Shared}); a case
 * that kills something leaves it to {@link #heal} before the next case.
 */
final class FaultySuite implements ExtensionContext.Store.CloseableResource {
    final PrivatePostgres pg;
    final PrivateRedis redis;
    final KafkaBroker broker;
    private volatile boolean brokerDead;
    final ServiceProcess maintenance;
    final ServiceProcess lockA;
    final ServiceProcess lockB;
    final ServiceProcess postingA;
    final ServiceProcess postingB;
    /** Everything started so far, closed in reverse order (also when the start itself fails half-way). */
    private final List<AutoCloseable> started = new ArrayList<>();

    private boolean closed;

    FaultySuite() {
        try {
            pg = started(PrivatePostgres.start(Unique.name("faults-pg").replace('-', '_')));
            redis = started(PrivateRedis.start());
            broker = started(KafkaBroker.start());
            var m = CompletableFuture.supplyAsync(
                    () -> started(ServiceProcess.start("maintenance-service", maintenanceConfig())));
            var la = CompletableFuture.supplyAsync(() -> started(ServiceProcess.start("lock-service", lockConfig())));
            var lb = CompletableFuture.supplyAsync(() -> started(ServiceProcess.start("lock-service", lockConfig())));
            settled(la, lb);
            lockA = la.join();
            lockB = lb.join();
            var a = CompletableFuture.supplyAsync(
                    () -> started(ServiceProcess.start("posting-service", postingConfig(lockA))));
            var b = CompletableFuture.supplyAsync(
                    () -> started(ServiceProcess.start("posting-service", postingConfig(lockB))));
            settled(m, a, b);
            maintenance = m.join();
            postingA = a.join();
            postingB = b.join();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Waits until each of {@code starts} has succeeded or failed (none is left starting when a sibling failed). */
    private static void settled(CompletableFuture<?>... starts) {
        CompletableFuture.allOf(starts).exceptionally(e -> null).join();
    }

    private synchronized <T extends AutoCloseable> T started(T thing) {
        started.add(thing);
        return thing;
    }

    String maintenanceUrl() {
        return maintenance.url() + "/v1/maintenance";
    }

    List<ServiceProcess> services() {
        return List.of(postingA, postingB, lockA, lockB, maintenance);
    }

    /** Kills the broker (SIGKILL); {@link #heal} or {@link #restartBroker} brings it back with its data. */
    void killBroker() {
        brokerDead = true;
        broker.kill();
    }

    void restartBroker() {
        broker.restart();
        brokerDead = false;
    }

    /** Thaws what a case froze and starts again what it killed (servers first, then the services). */
    void heal() {
        healServers();
        for (ServiceProcess p : services()) {
            if (p.isAlive()) {
                p.resume();
            } else {
                p.restart();
            }
        }
    }

    /** Thaws or starts again the broker, PostgreSQL and Redis, and thaws the services (a killed one stays down). */
    void healServers() {
        if (brokerDead) {
            restartBroker();
        } else {
            broker.resume();
        }
        if (!pg.running()) {
            pg.start();
        }
        if (redis.isAlive()) {
            redis.resume();
        } else {
            redis.restart();
        }
        for (ServiceProcess p : services()) {
            if (p.isAlive()) {
                p.resume();
            }
        }
    }

    private Map<String, String> common() {
        // DB_PORT: the services' datasource URLs (and maintenance's fence) point at the private cluster
        return Map.of("kafka.bootstrap.servers", broker.bootstrapServers(), "DB_PORT", String.valueOf(pg.port()));
    }

    private Map<String, String> maintenanceConfig() {
        // the prod profile fences posting-service as posting_app:posting_writer, on the private cluster
        return new HashMap<>(common());
    }

    private Map<String, String> lockConfig() {
        Map<String, String> c = new HashMap<>(common());
        c.put("quarkus.redis.hosts", redis.url());
        return c;
    }

    private Map<String, String> postingConfig(ServiceProcess lock) {
        Map<String, String> c = new HashMap<>(common());
        c.put("quarkus.rest-client.lock-service.url", lock.url());
        // a killed replica's managed locks go with their lease: 10 s (not 30) keeps the cases short, and is still
        // far longer than any posting here takes
        c.put("posting.lock-lease", "10s");
        return c;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<AutoCloseable> all = new ArrayList<>(started);
        Collections.reverse(all);
        for (AutoCloseable thing : all) {
            try {
                // a failed case may leave a process frozen: thaw it first, or it would not stop
                if (thing instanceof ServiceProcess p && p.isAlive()) {
                    p.resume();
                } else if (thing instanceof KafkaBroker b && !brokerDead) {
                    b.resume();
                }
                thing.close();
            } catch (Exception e) {
                // close the rest anyway
            }
        }
    }

    /** Hands every fault class of a run the one suite, closed when the run ends. */
    static final class Shared implements ParameterResolver {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == FaultySuite.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(FaultySuite.class, k -> new FaultySuite(), FaultySuite.class);
        }
    }
}
