package io.suite.locks;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.suite.writeguard.MaintenanceState;
import io.suite.writeguard.WriteGuard;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs operations of {@code locks.lua} by EVALSHA: one round trip, atomic. The script is loaded
 * on the first NOSCRIPT (also after a Redis restart), so start-up does not need Redis. Every call
 * carries this replica's write window (the guard's {@code writableUntil}: the script's read-only
 * rule) and a deadline; no answer within {@code lock.redis-timeout} is a 503.
 */
@ApplicationScoped
public class LockStore {
    private static final Logger LOG = Logger.getLogger(LockStore.class);

    private final ReactiveRedisDataSource redis;
    private final LockConfig config;
    private final WriteGuard guard;
    private final String script;
    private final String sha;

    LockStore(ReactiveRedisDataSource redis, LockConfig config, WriteGuard guard) {
        this.redis = redis;
        this.config = config;
        this.guard = guard;
        try (InputStream in = LockStore.class.getResourceAsStream("/locks.lua")) {
            this.script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read locks.lua", e);
        }
    }

    Uni<Response> run(String op, List<String> args) {
        return run(op, writeWindow(), maintenanceState(), args);
    }

    /**
     * As {@link #run(String, List)} with a given write window (epoch ms, "" = refusing writes) and
     * maintenance state ("epoch:R" read-only, "epoch:W" read-write, "" unknown).
     */
    Uni<Response> run(String op, String writeWindow, String maintenanceState, List<String> args) {
        long timeout = config.redisTimeout().toMillis();
        String[] argv = new String[args.size() + 7];
        argv[0] = sha;
        argv[1] = "0";
        argv[2] = op;
        argv[3] = config.keyPrefix();
        argv[4] = writeWindow;
        argv[5] = maintenanceState;
        argv[6] = String.valueOf(System.currentTimeMillis() + timeout);
        for (int i = 0; i < args.size(); i++) {
            argv[i + 7] = args.get(i);
        }
        return redis.execute("EVALSHA", argv)
                .onFailure(e -> String.valueOf(e.getMessage()).contains("NOSCRIPT"))
                .recoverWithUni(() -> redis.execute("SCRIPT", "LOAD", script).chain(() -> redis.execute("EVALSHA", argv)))
                .ifNoItem().after(config.redisTimeout()).fail()
                .onFailure(e -> !(e instanceof HttpProblem)).transform(e -> {
                    if (String.valueOf(e.getMessage()).startsWith("ERR")) {
                        LOG.warnf("locks.lua %s failed in Redis: %s", op, e.getMessage()); // a bug, not an outage
                    } else {
                        LOG.debugf("Redis call %s failed: %s", op, e.toString());
                    }
                    return Problems.unavailable(e);
                });
    }

    Uni<Response> run(String op, String... args) {
        return run(op, List.of(args));
    }

    /** The guard's writableUntil as the script takes it: epoch ms, or "" while writes are refused. */
    String writeWindow() {
        return guard.writableUntil().map(Instant::toEpochMilli).map(String::valueOf).orElse("");
    }

    /** The state the guard follows, as the script takes it: it remembers the newest any replica has seen. */
    String maintenanceState() {
        MaintenanceState s = guard.state();
        return s.known() ? s.epoch() + (s.readOnly() ? ":R" : ":W") : "";
    }

    Uni<Response> command(String command, String... args) {
        return redis.execute(command, args);
    }

    String key(String name) {
        return config.keyPrefix() + name;
    }

    ReactiveRedisDataSource redis() {
        return redis;
    }

    /** SHA-256 of a token, hex: Redis keeps only digests. */
    static String digest(String token) {
        if (token == null) {
            return "";
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> strings(Response r, int from) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < r.size(); i++) {
            out.add(r.get(i).toString());
        }
        return out;
    }
}
