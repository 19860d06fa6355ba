package io.suite.locks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.suite.writeguard.WriteGuard;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestStreamElementType;

import java.net.URI;
import java.util.Map;

/** Lock service API v1 (DESIGN.md). Bodies are read as text and validated by {@link ItemParser}. */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class LockResource {
    static final String TOKEN = "X-Lock-Token";

    private final LockService locks;
    private final LockStream stream;
    private final WriteGuard guard;
    private final ItemParser parser;

    LockResource(LockService locks, LockStream stream, WriteGuard guard, LockConfig config) {
        this.locks = locks;
        this.stream = stream;
        this.guard = guard;
        this.parser = new ItemParser(config);
    }

    /** {@code timeoutMs} and {@code items} (optional, beyond DESIGN.md): lock these at once, all or nothing. */
    record BeginBody(String owner, String label, Long leaseMs, Long timeoutMs, java.util.List<Map<String, Object>> items) {
    }

    record LockBody(Long timeoutMs, java.util.List<Map<String, Object>> items) {
    }

    @POST
    @Path("/lock-transactions")
    @Operation(summary = "Begin a lock transaction; answers its id and the token later calls must carry",
            description = "With items (and timeoutMs) it also locks them, as POST .../locks would, in the same call:"
                    + " 201 adds fencingToken, waitedMs and escalated; a 423, 409 or 503 leaves no transaction behind.")
    @APIResponse(responseCode = "201", description = "Begun (and, with items, locked)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LockApi.Begun.class)))
    @APIResponse(responseCode = "423", description = "Not granted within timeoutMs (.../lock-timeout with blockedBy); no transaction is left")
    @APIResponse(responseCode = "409", description = "The wait would close a cycle: this transaction is ended (.../deadlock with cycle)")
    public Uni<Response> begin(@RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = BeginBody.class))) String body) {
        ItemParser.Begin b = parser.begin(body);
        if (b.lock() == null) {
            return locks.begin(b).map(t -> begun(t, Map.of()));
        }
        return locks.beginAndLock(b)
                .onFailure(ReadOnlyRefusal.class).transform(e -> ((ReadOnlyRefusal) e).answer(guard))
                .map(bg -> begun(bg.begun(), granted(bg.granted())));
    }

    private static Response begun(LockService.Begun t, Map<String, Object> granted) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("id", t.id());
        body.put("token", t.token());
        body.put("leaseMs", t.leaseMs());
        body.put("expiresAt", t.expiresAt().toString());
        body.putAll(granted);
        return Response.created(URI.create("/v1/lock-transactions/" + t.id())).entity(body).build();
    }

    private static Map<String, Object> granted(LockService.Granted g) {
        return Map.of("fencingToken", g.fencingToken(), "waitedMs", g.waitedMs(), "escalated", g.escalated());
    }

    @POST
    @Path("/lock-transactions/{id}/locks")
    @Operation(summary = "Lock items, all or none; waits up to timeoutMs")
    @APIResponse(responseCode = "200", description = "Every item is held",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LockApi.Granted.class)))
    @APIResponse(responseCode = "423", description = "Not granted within timeoutMs (.../lock-timeout with blockedBy)")
    @APIResponse(responseCode = "409", description = "The wait would close a cycle: this transaction is ended (.../deadlock with cycle)")
    @APIResponse(responseCode = "404", description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    public Uni<Map<String, Object>> lock(@PathParam("id") String id, @HeaderParam(TOKEN) String token,
            @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(implementation = LockBody.class))) String body) {
        ItemParser.LockRequest request = parser.lockRequest(body);
        return locks.lock(id, token, request)
                .onFailure(ReadOnlyRefusal.class).transform(e -> ((ReadOnlyRefusal) e).answer(guard))
                .map(LockResource::granted);
    }

    @POST
    @Path("/lock-transactions/{id}/renew")
    @Operation(summary = "Renew the lease of a lock transaction")
    @APIResponse(responseCode = "200", description = "The new end of the lease",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LockApi.Renewed.class)))
    @APIResponse(responseCode = "404", description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    public Uni<Map<String, Object>> renew(@PathParam("id") String id, @HeaderParam(TOKEN) String token) {
        return locks.renew(id, token).map(at -> Map.of("expiresAt", at.toString()));
    }

    @DELETE
    @Path("/lock-transactions/{id}")
    @Operation(summary = "End a lock transaction: every lock it holds is freed")
    @APIResponse(responseCode = "204", description = "Ended")
    @APIResponse(responseCode = "404", description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    public Uni<Response> end(@PathParam("id") String id, @HeaderParam(TOKEN) String token) {
        return locks.end(id, token).map(v -> Response.noContent().build());
    }

    @GET
    @Path("/lock-transactions/{id}")
    @Operation(summary = "A lock transaction: its locks, its waiting request and its lease")
    @APIResponse(responseCode = "200", description = "The transaction",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LockApi.Transaction.class)))
    @APIResponse(responseCode = "404", description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    public Uni<ObjectNode> get(@PathParam("id") String id, @HeaderParam(TOKEN) String token) {
        return locks.get(id, token).map(t -> LockViews.transaction(id, t));
    }

    @GET
    @Path("/locks")
    @Operation(summary = "What is locked now and who waits for whom")
    @APIResponse(responseCode = "200", description = "The locks and the waits",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = LockApi.Snapshot.class)))
    public Uni<ObjectNode> locks(@QueryParam("space") String space) {
        return locks.snapshot(space).map(LockViews::snapshot);
    }

    @GET
    @Path("/locks/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: 'snapshot' (the GET /v1/locks JSON) and 'incident'")
    @APIResponse(responseCode = "200", description = "An endless stream of events",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.STRING)))
    public Multi<OutboundSseEvent> stream(@Context Sse sse, @QueryParam("space") String space) {
        return stream.events(sse, space);
    }
}
