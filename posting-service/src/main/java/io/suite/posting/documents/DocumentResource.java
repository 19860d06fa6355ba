package io.suite.posting.documents;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.suite.access.Roles;
import io.suite.posting.DatabaseOutage;
import io.suite.posting.PostingConfig;
import io.suite.posting.PostingMetrics;
import io.suite.posting.PostingProblems;
import io.suite.posting.model.Document;
import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.model.DocumentType;
import io.suite.problems.QueryParameters;
import io.suite.problems.Violations;
import io.suite.writeguard.WriteGuard;

/**
 * Documents API v1: create (and post), post/repost, unpost ({@code clerk}), read ({@code reader}). Every write goes
 * through the write guard. A new document's creator is the caller's principal.
 */
@Path("/v1/documents")
public class DocumentResource {
    private final PostingEngine engine;
    private final GroupedPosting grouped;
    private final PostingConfig config;
    private final PostingMetrics metrics;
    private final WriteGuard guard;
    private final IdempotencyKeys keys;

    DocumentResource(
            PostingEngine engine,
            GroupedPosting grouped,
            PostingConfig config,
            PostingMetrics metrics,
            WriteGuard guard,
            IdempotencyKeys keys) {
        this.engine = engine;
        this.grouped = grouped;
        this.config = config;
        this.metrics = metrics;
        this.guard = guard;
        this.keys = keys;
    }

    @POST
    @Operation(summary = "Create a document, posted unless post is false")
    @APIResponse(
            responseCode = "201",
            description = "The document",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    @APIResponse(
            responseCode = "409",
            description =
                    "An Idempotency-Key used with another body or still in progress, a deadlock or a lost lock; nothing was written")
    @APIResponse(
            responseCode = "422",
            description = "A balance would go below zero (.../insufficient-stock with shortages); nothing was written")
    @APIResponse(
            responseCode = "423",
            description =
                    "Stock rows stayed locked by another posting (.../lock-timeout with blockedBy); nothing was written")
    @RolesAllowed(Roles.CLERK)
    public Uni<Response> create(
            @HeaderParam("Idempotency-Key") String key, DocumentRequest body, @Context SecurityContext caller) {
        String creator = caller.getUserPrincipal().getName();
        DocumentData doc =
                DocumentRules.validate(body, config.maxLines(), LocalDate.now()).withCreator(creator);
        boolean post = body.post() == null || body.post();
        IdempotencyKeys.Key idem = keys.of(key, creator, body);
        PostingJob job = new PostingJob(doc, true, post ? PostingJob.Op.POST : PostingJob.Op.DRAFT, false);
        Uni<Response> write = guard.write(permit -> timed(doc.type(), grouped.post(job, idem, permit))
                        .map(outcomes -> Response.status(201)
                                .entity(outcomes.get(0).doc())
                                .build()))
                .onFailure()
                .transform(DatabaseOutage::ofWrite);
        return idem == null ? write : keys.replayOr(idem, write);
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A document")
    @APIResponse(
            responseCode = "200",
            description = "The document",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    @RolesAllowed(Roles.READER)
    public Uni<DocumentData> get(@PathParam("id") String id) {
        return load(id).map(Document::data);
    }

    /** The most documents one call lists; a client pages on with {@code after}. */
    static final int LIST_MAX_LIMIT = 1000;

    static final int LIST_DEFAULT_LIMIT = 100;

    @GET
    @Operation(
            summary = "The documents of a status (DRAFT unless given), in date, number, id order, a page at a time",
            description = "At most `limit` documents (default " + LIST_DEFAULT_LIMIT + ", 1.." + LIST_MAX_LIMIT
                    + "), those after the document `after` (the last id of the previous page). A full page has a"
                    + " `Link` header with rel=\"next\".")
    @APIResponse(
            responseCode = "200",
            description = "The documents",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = DocumentData.class, type = SchemaType.ARRAY)))
    @APIResponse(
            responseCode = "400",
            description = "A limit out of range, or `after` is not a document (.../validation); nothing was read")
    @RolesAllowed(Roles.READER)
    public Uni<RestResponse<List<DocumentData>>> list(
            @QueryParam("status") DocumentStatus status,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "" + LIST_MAX_LIMIT))
                    @QueryParam("limit")
                    String limit,
            @Parameter(schema = @Schema(type = SchemaType.STRING, format = "uuid")) @QueryParam("after") String after) {
        DocumentStatus wanted = status == null ? DocumentStatus.DRAFT : status;
        int n = QueryParameters.limit(limit, LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT);
        UUID afterId = after == null ? null : uuidOrNull(after);
        if (after != null && afterId == null) {
            throw Violations.of("Invalid page", "after", "is not a document id");
        }
        return Panache.withSession(() -> (afterId == null
                                ? Uni.createFrom().<Document>nullItem()
                                : Document.<Document>findById(afterId)
                                        .onItem()
                                        .ifNull()
                                        .failWith(() -> Violations.of("Invalid page", "after", "is not a document")))
                        .chain(from -> Document.page(wanted, from, n)))
                .map(page -> {
                    List<DocumentData> out = page.stream().map(Document::data).toList();
                    RestResponse.ResponseBuilder<List<DocumentData>> answer = RestResponse.ResponseBuilder.ok(out);
                    if (out.size() == n) {
                        answer.header(
                                "Link",
                                "</v1/documents?status=" + wanted + "&limit=" + n + "&after="
                                        + out.get(n - 1).id() + ">; rel=\"next\"");
                    }
                    return answer.build();
                });
    }

    private static UUID uuidOrNull(String value) {
        try {
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @POST
    @Path("/{id}/post")
    @Operation(summary = "Post a document")
    @APIResponse(
            responseCode = "200",
            description = "The document, posted",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    @APIResponse(
            responseCode = "409",
            description =
                    "A deadlock (.../deadlock), a managed lock lost (.../lock-lost), or the document is already so (.../conflict); nothing was written")
    @APIResponse(
            responseCode = "422",
            description = "A balance would go below zero (.../insufficient-stock with shortages); nothing was written")
    @APIResponse(
            responseCode = "423",
            description =
                    "Stock rows stayed locked by another posting (.../lock-timeout with blockedBy); nothing was written")
    @RolesAllowed(Roles.CLERK)
    public Uni<DocumentData> post(@PathParam("id") String id) {
        return change(id, PostingJob.Op.POST);
    }

    @POST
    @Path("/{id}/unpost")
    @Operation(summary = "Unpost a document")
    @APIResponse(
            responseCode = "200",
            description = "The document, a draft again",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = DocumentData.class)))
    @APIResponse(
            responseCode = "409",
            description =
                    "A deadlock (.../deadlock), a managed lock lost (.../lock-lost), or the document is already so (.../conflict); nothing was written")
    @APIResponse(
            responseCode = "422",
            description = "A balance would go below zero (.../insufficient-stock with shortages); nothing was written")
    @APIResponse(
            responseCode = "423",
            description =
                    "Stock rows stayed locked by another posting (.../lock-timeout with blockedBy); nothing was written")
    @RolesAllowed(Roles.CLERK)
    public Uni<DocumentData> unpost(@PathParam("id") String id) {
        return change(id, PostingJob.Op.UNPOST);
    }

    private Uni<DocumentData> change(String id, PostingJob.Op op) {
        return guard.write(permit -> load(id).chain(d -> {
                    DocumentData doc = d.data();
                    return timed(
                            doc.type(), engine.run(List.of(new PostingJob(doc, false, op, true)), true, null, permit));
                }))
                .onFailure()
                .transform(DatabaseOutage::ofWrite)
                .map(outcomes -> {
                    DocumentOutcome o = outcomes.get(0);
                    if (o.outcome() == Outcome.SKIPPED) {
                        throw PostingProblems.documentIs(o.doc().number(), o.reason());
                    }
                    return o.doc();
                });
    }

    /** Latency and outcome metrics around one API posting. */
    private Uni<List<DocumentOutcome>> timed(DocumentType type, Uni<List<DocumentOutcome>> work) {
        long started = System.nanoTime();
        return work.invoke(outcomes -> {
                    metrics.latency(type, Duration.ofNanos(System.nanoTime() - started));
                    String counted = outcomes.get(0).outcome().metric();
                    if (counted != null) {
                        metrics.document(type, counted);
                    }
                })
                .onFailure()
                .invoke(e -> {
                    boolean rejected = e instanceof HttpProblem p && p.getStatusCode() == 422;
                    metrics.document(type, rejected ? "rejected" : "failed");
                });
    }

    private Uni<Document> load(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(PostingProblems.noDocument(id));
        }
        return Panache.withSession(() -> Document.<Document>findById(uuid))
                .onItem()
                .ifNull()
                .failWith(() -> PostingProblems.noDocument(id));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
