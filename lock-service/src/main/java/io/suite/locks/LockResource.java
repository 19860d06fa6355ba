package io.suite.locks;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
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
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestStreamElementType;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.suite.access.Roles;
import io.suite.problems.QueryParameters;
import io.suite.writeguard.WriteGuard;

/**
 * Lock service API v1 (DESIGN.md). Bodies are read as text and validated by {@link ItemParser}; they must
 * say application/json (anything else is a 415), so no web page can begin lock transactions from a user's
 * browser with a form or a "simple" text/plain request. Each method names its least role (DESIGN.md
 * "Security"); a call on a transaction names the caller's principal, which must be the one that began it
 * ({@link LockStore#digest}).
 */
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
public class LockResource {
    static final String TOKEN = "X-Lock-Token";
    private static final String NOT_YOURS =
            "Another principal's transaction, or a wrong or missing X-Lock-Token (.../forbidden); or the token lacks"
                    + " the role";

    private final LockService locks;
    private final LockStream stream;
    private final WriteGuard guard;
    private final ItemParser parser;
    private final Incidents incidents;

    LockResource(LockService locks, LockStream stream, WriteGuard guard, LockConfig config, Incidents incidents) {
        this.locks = locks;
        this.incidents = incidents;
        this.stream = stream;
        this.guard = guard;
        this.parser = new ItemParser(config);
    }

    /** {@code timeoutMs} and {@code items} (optional, beyond DESIGN.md): lock these at once, all or nothing. */
    record BeginBody(String owner, String label, Long leaseMs, Long timeoutMs, List<Map<String, Object>> items) {}

    record LockBody(Long timeoutMs, List<Map<String, Object>> items) {}

    @POST
    @Path("/lock-transactions")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.LOCK_CLIENT)
    @Operation(
            summary = "Begin a lock transaction; answers its id and the token later calls must carry",
            description = "With items (and timeoutMs) it also locks them, as POST .../locks would, in the same call:"
                    + " 201 adds fencingToken, waitedMs and escalated; a 423, 409 or 503 leaves no transaction behind.")
    @APIResponse(
            responseCode = "201",
            description = "Begun (and, with items, locked)",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LockApi.Begun.class)))
    @APIResponse(
            responseCode = "423",
            description = "Not granted within timeoutMs (.../lock-timeout with blockedBy); no transaction is left")
    @APIResponse(
            responseCode = "409",
            description = "The wait would close a cycle: this transaction is ended (.../deadlock with cycle)")
    public Uni<Response> begin(
            @Context SecurityContext caller,
            @RequestBody(
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON,
                                            schema = @Schema(implementation = BeginBody.class)))
                    String body) {
        ItemParser.Begin b = parser.begin(body);
        String principal = principal(caller);
        if (b.lock() == null) {
            return locks.begin(principal, b).map(t -> begun(t, Map.of()));
        }
        return locks.beginAndLock(principal, b)
                .onFailure(ReadOnlyRefusal.class)
                .transform(e -> ((ReadOnlyRefusal) e).answer(guard))
                .map(bg -> begun(bg.begun(), granted(bg.granted())));
    }

    /** Who calls: preferred_username of the access token (access's quarkus.oidc.token.principal-claim). */
    private static String principal(SecurityContext caller) {
        return caller.getUserPrincipal().getName();
    }

    private static Response begun(LockService.Begun t, Map<String, Object> granted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", t.id());
        body.put("token", t.token());
        body.put("leaseMs", t.leaseMs());
        body.put("expiresAt", t.expiresAt().toString());
        body.putAll(granted);
        return Response.created(URI.create("/v1/lock-transactions/" + t.id()))
                .entity(body)
                .build();
    }

    private static Map<String, Object> granted(LockService.Granted g) {
        return Map.of(
                "fencingToken",
                g.fencingToken(),
                "waitedMs",
                g.waitedMs(),
                "escalated",
                LockViews.escalated(g.escalated()));
    }

    @POST
    @Path("/lock-transactions/{id}/locks")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed(Roles.LOCK_CLIENT)
    @Operation(summary = "Lock items, all or none; waits up to timeoutMs")
    @APIResponse(
            responseCode = "200",
            description = "Every item is held",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LockApi.Granted.class)))
    @APIResponse(responseCode = "423", description = "Not granted within timeoutMs (.../lock-timeout with blockedBy)")
    @APIResponse(
            responseCode = "409",
            description = "The wait would close a cycle: this transaction is ended (.../deadlock with cycle)")
    @APIResponse(
            responseCode = "404",
            description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    @APIResponse(responseCode = "403", description = NOT_YOURS)
    public Uni<Map<String, Object>> lock(
            @Context SecurityContext caller,
            @PathParam("id") String id,
            @HeaderParam(TOKEN) String token,
            @RequestBody(
                            content =
                                    @Content(
                                            mediaType = MediaType.APPLICATION_JSON,
                                            schema = @Schema(implementation = LockBody.class)))
                    String body) {
        ItemParser.LockRequest request = parser.lockRequest(body);
        return locks.lock(id, principal(caller), token, request)
                .onFailure(ReadOnlyRefusal.class)
                .transform(e -> ((ReadOnlyRefusal) e).answer(guard))
                .map(LockResource::granted);
    }

    @POST
    @Path("/lock-transactions/{id}/renew")
    @RolesAllowed(Roles.LOCK_CLIENT)
    @Operation(summary = "Renew the lease of a lock transaction")
    @APIResponse(
            responseCode = "200",
            description = "The new end of the lease",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LockApi.Renewed.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    @APIResponse(responseCode = "403", description = NOT_YOURS)
    public Uni<Map<String, Object>> renew(
            @Context SecurityContext caller, @PathParam("id") String id, @HeaderParam(TOKEN) String token) {
        return locks.renew(id, principal(caller), token).map(at -> Map.of("expiresAt", at.toString()));
    }

    @DELETE
    @Path("/lock-transactions/{id}")
    @RolesAllowed(Roles.LOCK_CLIENT)
    @Operation(summary = "End a lock transaction: every lock it holds is freed")
    @APIResponse(responseCode = "204", description = "Ended")
    @APIResponse(
            responseCode = "404",
            description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    @APIResponse(responseCode = "403", description = NOT_YOURS)
    public Uni<Response> end(
            @Context SecurityContext caller, @PathParam("id") String id, @HeaderParam(TOKEN) String token) {
        return locks.end(id, principal(caller), token)
                .map(v -> Response.noContent().build());
    }

    @GET
    @Path("/lock-transactions/{id}")
    @RolesAllowed(Roles.READER)
    @Operation(
            summary = "A lock transaction: who began it, its locks, its waiting request and its lease",
            description = "Only for the principal that began it, with its X-Lock-Token (it renews the lease)")
    @APIResponse(
            responseCode = "200",
            description = "The transaction",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LockApi.Transaction.class)))
    @APIResponse(
            responseCode = "404",
            description = "No such transaction: unknown, ended or expired (.../no-such-transaction)")
    @APIResponse(responseCode = "403", description = NOT_YOURS)
    public Uni<ObjectNode> get(
            @Context SecurityContext caller, @PathParam("id") String id, @HeaderParam(TOKEN) String token) {
        return locks.get(id, principal(caller), token).map(t -> LockViews.transaction(id, t));
    }

    @GET
    @Path("/locks")
    @RolesAllowed(Roles.READER)
    @Operation(summary = "What is locked now and who waits for whom")
    @APIResponse(
            responseCode = "200",
            description = "The locks and the waits",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LockApi.Snapshot.class)))
    public Uni<ObjectNode> locks(@QueryParam("space") String space) {
        return locks.snapshot(space).map(LockViews::snapshot);
    }

    static final int INCIDENTS_DEFAULT_LIMIT = 1000;
    static final int INCIDENTS_MAX_LIMIT = 10000;

    @GET
    @Path("/lock-incidents")
    @RolesAllowed(Roles.READER)
    @Operation(
            summary = "Lock incidents of a time range, oldest first (DESIGN \"Lock incidents\")",
            description = "from/to: ISO instants, inclusive (default: the last hour); limit 1.." + INCIDENTS_MAX_LIMIT
                    + ", default " + INCIDENTS_DEFAULT_LIMIT + ": the oldest ones of the range")
    @APIResponse(
            responseCode = "200",
            description = "The incidents",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = LockApi.Incidents.class)))
    @APIResponse(
            responseCode = "400",
            description = "A bad instant, an unknown kind, from after to, a limit out of range (.../bad-input)")
    public Uni<Map<String, Object>> incidents(
            @Parameter(description = "ISO instant, e.g. 2026-12-07T10:00:00Z") @QueryParam("from") String from,
            @Parameter(description = "ISO instant") @QueryParam("to") String to,
            @QueryParam("space") String space,
            @Parameter(schema = @Schema(implementation = LockApi.IncidentKind.class)) @QueryParam("kind") String kind,
            @Parameter(schema = @Schema(type = SchemaType.INTEGER, minimum = "1", maximum = "" + INCIDENTS_MAX_LIMIT))
                    @QueryParam("limit")
                    String limit) {
        Instant end = to == null ? Instant.now() : instant(to, "to");
        Instant start = from == null ? end.minus(Duration.ofHours(1)) : instant(from, "from");
        if (start.isAfter(end)) {
            throw Problems.badInput("from", "is after to");
        }
        if (kind != null && !Incidents.KINDS.contains(kind)) {
            throw Problems.badInput("kind", "is not one of " + new TreeSet<>(Incidents.KINDS));
        }
        int n = QueryParameters.limit(limit, INCIDENTS_DEFAULT_LIMIT, INCIDENTS_MAX_LIMIT);
        return incidents
                .query(start.toEpochMilli(), end.toEpochMilli(), blankToNull(space), kind, n)
                .map(list -> Map.of("incidents", list));
    }

    private static Instant instant(String value, String name) {
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw Problems.badInput(name, "is not an ISO instant such as 2026-12-07T10:00:00Z");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @GET
    @Path("/locks/stream")
    @RolesAllowed(Roles.READER)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Server-sent events: 'snapshot' (the GET /v1/locks JSON) and 'incident'")
    @APIResponse(
            responseCode = "200",
            description = "An endless stream of events",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(type = SchemaType.STRING)))
    public Multi<OutboundSseEvent> stream(@Context Sse sse, @QueryParam("space") String space) {
        return stream.events(sse, space);
    }
}
