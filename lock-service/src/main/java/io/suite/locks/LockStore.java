package io.suite.locks;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Runs operations of {@code locks.lua} by EVALSHA: one round trip, atomic. The script is loaded
 * on the first NOSCRIPT (also after a Redis restart), so start-up does not need Redis.
 */
@ApplicationScoped
public class LockStore {
    private final ReactiveRedisDataSource redis;
    private final LockConfig config;
    private final String script;
    private final String sha;

    LockStore(ReactiveRedisDataSource redis, LockConfig config) {
        this.redis = redis;
        this.config = config;
        try (InputStream in = LockStore.class.getResourceAsStream("/locks.lua")) {
            this.script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read locks.lua", e);
        }
    }

    Uni<Response> run(String op, List<String> args) {
        String[] argv = new String[args.size() + 4];
        argv[0] = sha;
        argv[1] = "0";
        argv[2] = op;
        argv[3] = config.keyPrefix();
        for (int i = 0; i < args.size(); i++) {
            argv[i + 4] = args.get(i);
        }
        return redis.execute("EVALSHA", argv)
                .onFailure(e -> String.valueOf(e.getMessage()).contains("NOSCRIPT"))
                .recoverWithUni(() -> redis.execute("SCRIPT", "LOAD", script).chain(() -> redis.execute("EVALSHA", argv)));
    }

    Uni<Response> run(String op, String... args) {
        return run(op, List.of(args));
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
