package io.suite.maintenance;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.suite.access.Roles;
import io.suite.problems.Violations;

@Path("/v1/maintenance")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class MaintenanceResource {
    private final Maintenance maintenance;
    private final MaintenanceConfig config;
    private final SecurityIdentity caller;

    MaintenanceResource(Maintenance maintenance, MaintenanceConfig config, SecurityIdentity caller) {
        this.maintenance = maintenance;
        this.config = config;
        this.caller = caller;
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Operation(summary = "The maintenance state: mode, phase, epoch and the write paths")
    public MaintenanceView get() {
        return currentView();
    }

    /** The state as GET shows it, for callers inside the service (no request, so no caller to check). */
    MaintenanceView currentView() {
        return view(maintenance.current());
    }

    /** Flip to read-only (new epoch), or renew the current read-only epoch. */
    @POST
    @Path("/read-only")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Flip to read-only (a new epoch), or renew the current read-only epoch")
    @APIResponse(
            responseCode = "202",
            description = "The new state",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MaintenanceView.class)))
    public Uni<RestResponse<MaintenanceView>> readOnly(@Valid Requests.ReadOnly body) {
        Requests.ReadOnly b = body != null ? body : new Requests.ReadOnly(null, null, null, null, null);
        String reason = orDefault(b.reason(), "maintenance");
        Duration duration = b.durationMs() != null ? Duration.ofMillis(b.durationMs()) : config.defaultDuration();
        Duration drain =
                b.drainTimeoutMs() != null ? Duration.ofMillis(b.drainTimeoutMs()) : config.defaultDrainTimeout();
        String who = who();
        return accepted(maintenance.change(
                s -> Optional.of(Transitions.readOnly(s, reason, duration, drain, b.heldBy(), who, Instant.now()))));
    }

    /** Extends the current read-only epoch (409 when not read-only, or not the given epoch). */
    @POST
    @Path("/read-only/renew")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Extend the current read-only epoch")
    @APIResponse(
            responseCode = "202",
            description = "The renewed state",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MaintenanceView.class)))
    @APIResponse(
            responseCode = "409",
            description = "Not read-only, or not that epoch (.../not-read-only with mode and epoch)")
    public Uni<RestResponse<MaintenanceView>> renew(@Valid Requests.Renew body) {
        Requests.Renew b = body != null ? body : new Requests.Renew(null, null, null, null);
        Duration duration = b.durationMs() != null ? Duration.ofMillis(b.durationMs()) : config.defaultDuration();
        String who = who();
        return accepted(maintenance.change(
                s -> Optional.of(Transitions.renew(s, b.epoch(), duration, b.heldBy(), who, Instant.now()))));
    }

    /** Drops a hold (heldBy) without changing the mode. */
    @POST
    @Path("/read-only/release")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Drop a hold (heldBy) without changing the mode")
    @APIResponse(
            responseCode = "202",
            description = "The state",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MaintenanceView.class)))
    public Uni<RestResponse<MaintenanceView>> release(@Valid Requests.Release body) {
        if (body == null) {
            throw Violations.of("Bad release", "heldBy", "is required");
        }
        String who = who();
        return accepted(maintenance.change(s -> Transitions.release(s, body.heldBy(), who, Instant.now())));
    }

    /** Back to read-write (new epoch); 409 backup-in-progress while held by another, unless force. */
    @POST
    @Path("/read-write")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Back to read-write (a new epoch)")
    @APIResponse(
            responseCode = "202",
            description = "The new state",
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = MaintenanceView.class)))
    @APIResponse(
            responseCode = "409",
            description =
                    "A backup holds the system read-only (.../backup-in-progress with heldBy and epoch); force overrides")
    public Uni<RestResponse<MaintenanceView>> readWrite(@Valid Requests.ReadWrite body) {
        Requests.ReadWrite b = body != null ? body : new Requests.ReadWrite(null, null, null, null);
        String reason = orDefault(b.reason(), "done");
        boolean force = Force.allowed(caller, b.force());
        String who = who();
        return accepted(
                maintenance.change(s -> Transitions.readWrite(s, reason, b.heldBy(), force, who, Instant.now())));
    }

    /** Every change, newest first. */
    @GET
    @Path("/history")
    @RolesAllowed(Roles.READER)
    @Operation(summary = "Every change, newest first")
    public Uni<List<HistoryEntry>> history(@QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return Panache.withSession(() -> HistoryRow.<HistoryRow>findAll(Sort.descending("id"))
                        .page(0, limit)
                        .list())
                .map(rows -> rows.stream().map(HistoryEntry::of).toList());
    }

    private Uni<RestResponse<MaintenanceView>> accepted(Uni<MaintenanceState> change) {
        return change.map(s -> RestResponse.status(Response.Status.ACCEPTED, view(s)));
    }

    /** The view of {@code s}: the phase and each path's state from one reading of the paths and fences. */
    private MaintenanceView view(MaintenanceState s) {
        Instant now = Instant.now();
        Set<String> fenced = maintenance.fenced(s);
        List<WritePath> all = maintenance.writePaths();
        List<MaintenanceView.PathView> paths = all.stream()
                .map(p -> new MaintenanceView.PathView(
                        p.instance(),
                        p.service(),
                        p.epoch(),
                        p.inFlight(),
                        p.drained(),
                        p.lastSeen(),
                        PhaseRule.classify(p, s.epoch(), fenced, now, config.lostAfter())
                                .tag(),
                        p.stateMaxAgeMs(),
                        p.aborted()))
                .toList();
        Phase phase = maintenance.phase(s, all, fenced, now);
        return new MaintenanceView(
                s.mode(),
                phase,
                s.epoch(),
                s.reason(),
                s.since(),
                s.expiresAt(),
                s.requestedBy(),
                s.drainTimeoutMs(),
                s.heldBy(),
                paths,
                fenced.stream().sorted().toList());
    }

    /** Who asks: the token's principal (its preferred_username), never what the body says. */
    private String who() {
        return caller.getPrincipal().getName();
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }
}
