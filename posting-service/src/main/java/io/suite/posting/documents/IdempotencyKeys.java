package io.suite.posting.documents;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.hibernate.reactive.mutiny.Mutiny;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.suite.posting.Db;
import io.suite.posting.FreshConnection;
import io.suite.posting.PostingProblems;
import io.suite.posting.Writes;
import io.suite.posting.model.DocumentData;

/**
 * The Idempotency-Key of {@code POST /v1/documents}, all of it: the key row is written in the posting's
 * own statement or transaction with its answer (status + body), so a request either wrote its document
 * and its key, or neither. Same key, same caller and same body (SHA-256 of the parsed body and the caller's
 * principal) → the stored answer again ({@code Idempotent-Replayed: true}); another body or caller → 409. Two requests with one key at once: the second
 * one's key write waits on the first's uncommitted row and fails ({@link Race}), then replays its answer.
 * Only answers that wrote something (201) are stored.
 */
@ApplicationScoped
public class IdempotencyKeys {
    public static final int MAX_LENGTH = 200;

    /** A request's key and the hash of its body. */
    public record Key(String key, String hash) {}

    /** The same key is being (or was just) used by a concurrent request: read its stored answer. */
    public static final class Race extends RuntimeException {
        Race() {
            super(null, null, false, false);
        }
    }

    private record Stored(int status, String hash, String response) {}

    private final ObjectMapper json;

    IdempotencyKeys(ObjectMapper json) {
        this.json = json;
    }

    /**
     * The request's key, or null without the header; a blank or too long one is a 400. The hash covers who sends
     * it as well as the body: another caller's request with the same key and body is refused (409), not answered
     * with the first caller's document, which would tell it that its own was written.
     */
    public Key of(String header, String caller, DocumentRequest body) {
        if (header == null) {
            return null;
        }
        if (header.isBlank() || header.length() > MAX_LENGTH) {
            throw PostingProblems.invalidIdempotencyKey(MAX_LENGTH);
        }
        return new Key(header, hash(caller, body));
    }

    /**
     * The stored answer to {@code key} replayed, else {@code write}; a concurrent twin that {@code write}
     * met ({@link Race}) is answered with the twin's answer once it committed. A stored answer is a read:
     * it is replayed without asking the write guard.
     */
    public Uni<Response> replayOr(Key key, Uni<Response> write) {
        return stored(key.key())
                .chain(first -> first != null
                        ? Uni.createFrom().item(replay(first, key.hash()))
                        : write.onFailure(Race.class)
                                .recoverWithUni(() -> stored(key.key()).map(again -> replay(again, key.hash()))));
    }

    /** In a transaction, before its writes: claims the key (a concurrent twin waits here, then fails with {@link Race}). */
    Uni<Void> claim(Mutiny.Session s, Key key) {
        return Db.rows(
                        s,
                        "INSERT INTO idempotency_keys (key, request_hash) VALUES (?1, ?2)"
                                + " ON CONFLICT (key) DO NOTHING RETURNING key, request_hash",
                        List.of(key.key(), key.hash()))
                .invoke(r -> {
                    if (r.isEmpty()) {
                        throw new Race();
                    }
                })
                .replaceWithVoid();
    }

    /** With the writes of a transaction that {@link #claim}ed the key: its answer. */
    void addAnswer(Writes w, Key key, DocumentData answer) {
        w.add(
                "UPDATE idempotency_keys SET status = ?1, response = ?2 WHERE key = ?3",
                List.of(201, json(answer), key.key()));
    }

    /** With the parts of a one-statement posting: the key and its answer (a twin's statement fails on the key: {@link #twin}). */
    void addKeyAndAnswer(Writes w, Key key, DocumentData answer) {
        w.add(
                "INSERT INTO idempotency_keys (key, request_hash, status, response) VALUES (?1, ?2, ?3, ?4)",
                List.of(key.key(), key.hash(), 201, json(answer)));
    }

    /** The statement failed on the key of {@link #addKeyAndAnswer}: another request with that key went first. */
    static boolean twin(Throwable failure) {
        return "23505".equals(Db.sqlState(failure)) && "idempotency_keys_pkey".equals(Db.constraint(failure));
    }

    private Uni<Stored> stored(String key) {
        return FreshConnection.read(() -> Panache.withSession(() -> Panache.getSession()
                        .chain(s -> Db.rows(
                                s,
                                "SELECT status, request_hash, response FROM idempotency_keys WHERE key = ?1",
                                List.of(key)))))
                .map(rows -> rows.isEmpty() || rows.get(0)[0] == null
                        ? null
                        : new Stored(((Number) rows.get(0)[0]).intValue(), (String) rows.get(0)[1], (String)
                                rows.get(0)[2]));
    }

    private static Response replay(Stored first, String hash) {
        if (first == null) {
            // the concurrent request with this key did not commit: the client may simply retry
            throw PostingProblems.idempotencyKeyInProgress();
        }
        if (!first.hash().equals(hash)) {
            throw PostingProblems.idempotencyKeyReused();
        }
        return Response.status(first.status())
                .type(MediaType.APPLICATION_JSON)
                .entity(first.response())
                .header("Idempotent-Replayed", "true")
                .build();
    }

    private String hash(String caller, DocumentRequest body) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(json.writeValueAsBytes(body));
            sha.update((byte) 0); // JSON never has a NUL: no body and caller can run into another pair
            sha.update(caller.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest());
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String json(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
