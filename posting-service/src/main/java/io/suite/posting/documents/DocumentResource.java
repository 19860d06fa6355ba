package io.suite.posting.documents;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.suite.posting.DatabaseOutage;
import io.suite.posting.Db;
import io.suite.posting.PostingConfig;
import io.suite.problems.ProblemTypes;
import io.suite.problems.Violations;
import io.suite.writeguard.WriteGuard;

/** Documents API v1: create (and post), post/repost, unpost, read. Every write goes through the write guard. */
@Path("/v1/documents")
public class DocumentResource {
    private static final int MAX_KEY_LENGTH = 200;

    @Inject
    PostingEngine engine;
    @Inject
    GroupedPosting grouped;
    @Inject
    PostingConfig config;
    @Inject
    PostingMetrics metrics;
    @Inject
    WriteGuard guard;
    @Inject
    ObjectMapper json;

    @POST
    @Operation(summary = "Create a document, posted unless post is false")
    @APIResponse(responseCode = "201", description = "The document",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    @APIResponse(responseCode = "409", description = "An Idempotency-Key used with another body or still in progress, a deadlock or a lost lock; nothing was written")
    @APIResponse(responseCode = "422", description = "A balance would go below zero (.../insufficient-stock with shortages); nothing was written")
    @APIResponse(responseCode = "423", description = "Stock rows stayed locked by another posting (.../lock-timeout with blockedBy); nothing was written")
    public Uni<Response> create(@HeaderParam("Idempotency-Key") String key, DocumentRequest body) {
        DocumentData doc = DocumentRules.validate(body, config.maxLines(), LocalDate.now());
        boolean post = body.post() == null || body.post();
        if (key != null && (key.isBlank() || key.length() > MAX_KEY_LENGTH)) {
            throw Violations.of("Invalid Idempotency-Key", "Idempotency-Key", "must be 1 to " + MAX_KEY_LENGTH + " characters");
        }
        String hash = key == null ? null : hash(body);
        PostingEngine.Job job = new PostingEngine.Job(doc, true, post ? PostingEngine.Op.POST : PostingEngine.Op.DRAFT, false);
        Uni<Response> write = guard.write(permit -> timed(doc.type(),
                grouped.post(job, key == null ? null : new PostingEngine.Idempotency(key, hash), permit))
                .map(outcomes -> Response.status(201).entity(outcomes.get(0).doc()).build()))
                .onFailure().transform(DatabaseOutage::ofWrite);
        if (key == null) {
            return write;
        }
        // a stored answer is a read: replay it without asking the guard; a concurrent twin is caught in the transaction
        return stored(key).chain(first -> first != null ? Uni.createFrom().item(replay(first, hash))
                : write.onFailure(PostingEngine.IdempotencyRace.class)
                        .recoverWithUni(() -> stored(key).map(again -> replay(again, hash))));
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A document")
    @APIResponse(responseCode = "200", description = "The document",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    public Uni<DocumentData> get(@PathParam("id") String id) {
        return load(id).map(Document::data);
    }

    @GET
    @Operation(summary = "The documents of a status (DRAFT unless given)")
    @APIResponse(responseCode = "200", description = "The documents",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class, type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.ARRAY)))
    public Uni<List<DocumentData>> list(@QueryParam("status") DocumentStatus status) {
        DocumentStatus wanted = status == null ? DocumentStatus.DRAFT : status;
        return Panache.withSession(() -> Document.withStatus(wanted)).map(l -> l.stream().map(Document::data).toList());
    }

    @POST
    @Path("/{id}/post")
    @Operation(summary = "Post a document")
    @APIResponse(responseCode = "200", description = "The document, posted",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    @APIResponse(responseCode = "409", description = "A deadlock (.../deadlock), a managed lock lost (.../lock-lost), or the document is already so (.../conflict); nothing was written")
    @APIResponse(responseCode = "422", description = "A balance would go below zero (.../insufficient-stock with shortages); nothing was written")
    @APIResponse(responseCode = "423", description = "Stock rows stayed locked by another posting (.../lock-timeout with blockedBy); nothing was written")
    public Uni<DocumentData> post(@PathParam("id") String id) {
        return change(id, PostingEngine.Op.POST);
    }

    @POST
    @Path("/{id}/unpost")
    @Operation(summary = "Unpost a document")
    @APIResponse(responseCode = "200", description = "The document, a draft again",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    @APIResponse(responseCode = "409", description = "A deadlock (.../deadlock), a managed lock lost (.../lock-lost), or the document is already so (.../conflict); nothing was written")
    @APIResponse(responseCode = "422", description = "A balance would go below zero (.../insufficient-stock with shortages); nothing was written")
    @APIResponse(responseCode = "423", description = "Stock rows stayed locked by another posting (.../lock-timeout with blockedBy); nothing was written")
    public Uni<DocumentData> unpost(@PathParam("id") String id) {
        return change(id, PostingEngine.Op.UNPOST);
    }

    private Uni<DocumentData> change(String id, PostingEngine.Op op) {
        return guard.write(permit -> load(id).chain(d -> {
            DocumentData doc = d.data();
            return timed(doc.type(), engine.run(List.of(new PostingEngine.Job(doc, false, op, true)), true, null, permit));
        })).onFailure().transform(DatabaseOutage::ofWrite).map(outcomes -> {
            PostingEngine.Outcome o = outcomes.get(0);
            if (o.result().equals("skipped")) {
                throw HttpProblem.builder().withType(ProblemTypes.CONFLICT).withStatus(409)
                        .withTitle("Conflict").withDetail("Document " + o.doc().number() + " is " + o.reason()).build();
            }
            return o.doc();
        });
    }

    /** Latency and outcome metrics around one API posting. */
    private Uni<List<PostingEngine.Outcome>> timed(DocumentType type, Uni<List<PostingEngine.Outcome>> work) {
        long started = System.nanoTime();
        return work.invoke(outcomes -> {
            metrics.latency(type, Duration.ofNanos(System.nanoTime() - started));
            String r = outcomes.get(0).result();
            if (r.equals("posted") || r.equals("reposted") || r.equals("unposted")) {
                metrics.document(type, r.equals("unposted") ? "unposted" : "posted");
            }
        }).onFailure().invoke(e -> {
            boolean rejected = e instanceof HttpProblem p && p.getStatusCode() == 422;
            metrics.document(type, rejected ? "rejected" : "failed");
        });
    }

    private Uni<Document> load(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(notFound(id));
        }
        return Panache.withSession(() -> Document.<Document> findById(uuid))
                .onItem().ifNull().failWith(() -> notFound(id));
    }

    private static HttpProblem notFound(String id) {
        return HttpProblem.builder().withType(ProblemTypes.NOT_FOUND).withStatus(404)
                .withTitle("Not found").withDetail("No document " + id).build();
    }

    private record Stored(int status, String hash, String response) {
    }

    private Uni<Stored> stored(String key) {
        return Panache.withSession(() -> Panache.getSession().chain(s -> Db.rows(s,
                "SELECT status, request_hash, response FROM idempotency_keys WHERE key = ?1", List.of(key))))
                .map(rows -> rows.isEmpty() || rows.get(0)[0] == null ? null
                        : new Stored(((Number) rows.get(0)[0]).intValue(), (String) rows.get(0)[1], (String) rows.get(0)[2]));
    }

    private static Response replay(Stored first, String hash) {
        if (first == null) {
            // the concurrent request with this key did not commit: the client may simply retry
            throw HttpProblem.builder().withType(ProblemTypes.CONFLICT).withStatus(409)
                    .withTitle("Conflict").withDetail("A request with this Idempotency-Key is in progress; retry").build();
        }
        if (!first.hash().equals(hash)) {
            throw HttpProblem.builder().withType(ProblemTypes.CONFLICT).withStatus(409)
                    .withTitle("Idempotency-Key reused").withDetail("This Idempotency-Key was used with another body").build();
        }
        return Response.status(first.status()).type(MediaType.APPLICATION_JSON).entity(first.response())
                .header("Idempotent-Replayed", "true").build();
    }

    private String hash(DocumentRequest body) {
        try {
            byte[] canonical = json.writeValueAsBytes(body);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
