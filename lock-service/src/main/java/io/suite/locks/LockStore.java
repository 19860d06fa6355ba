package io.suite.locks;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The transport of {@code locks.lua}: EVALSHA, one round trip, atomic. The script is loaded on the
 * first NOSCRIPT (also after a Redis restart), so start-up does not need Redis; no answer within
 * {@code lock.redis-timeout} is a 503. What goes in and comes out is {@link LockScript}'s business.
 */
@ApplicationScoped
public class LockStore {
    private static final Logger LOG = Logger.getLogger(LockStore.class);

    private final ReactiveRedisDataSource redis;
    private final LockConfig config;
    private final String script;
    private final String sha;

    LockStore(ReactiveRedisDataSource redis, LockConfig config) {
        this.redis = redis;
        this.config = config;
        try (InputStream in = LockStore.class.getResourceAsStream("/locks.lua")) {
            this.script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            this.sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read locks.lua", e);
        }
    }

    /**
     * EVALSHA of locks.lua with these KEYS and ARGV ({@link LockScript} builds both); {@code op}
     * names the call in logs. No answer within {@code lock.redis-timeout}, or a failure, is a 503.
     */
    Uni<Response> eval(String op, List<String> keys, List<String> argv) {
        return eval(op, keys, argv, config.redisTimeout());
    }

    /** The same, waiting up to {@code patience} for the answer. */
    Uni<Response> eval(String op, List<String> keys, List<String> argv, Duration patience) {
        String[] args = new String[2 + keys.size() + argv.size()];
        args[0] = sha;
        args[1] = String.valueOf(keys.size());
        int i = 2;
        for (String k : keys) {
            args[i++] = k;
        }
        for (String a : argv) {
            args[i++] = a;
        }
        return redis.execute("EVALSHA", args)
                .onFailure(e -> String.valueOf(e.getMessage()).contains("NOSCRIPT"))
                .recoverWithUni(
                        () -> redis.execute("SCRIPT", "LOAD", script).chain(() -> redis.execute("EVALSHA", args)))
                .ifNoItem()
                .after(patience)
                .fail()
                .onFailure(e -> !(e instanceof HttpProblem))
                .transform(e -> {
                    if (String.valueOf(e.getMessage()).startsWith("ERR")) {
                        LOG.warnf("locks.lua %s failed in Redis: %s", op, e.getMessage()); // a bug, not an outage
                    } else {
                        LOG.debugf("Redis call %s failed: %s", op, e.toString());
                    }
                    return Problems.unavailable(e);
                });
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

    /**
     * What a call on a lock transaction proves, as Redis keeps it: SHA-256 (hex) of its X-Lock-Token and of the
     * principal calling (from the access token). The script compares it with the one kept at begin, so only the
     * principal that began a transaction, with its token, may act on it: another principal, even with the right
     * token, is refused (403) by the same comparison, atomically with the act. No token: "" (never matches).
     */
    static String digest(String principal, String token) {
        if (token == null) {
            return "";
        }
        // a header value has no line break, so "token LF principal" names exactly one pair
        String proof = token + "\n" + principal;
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(proof.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
