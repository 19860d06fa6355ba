package io.suite.backup.backups;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.rest.client.inject.RestClient;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.suite.access.Roles;
import io.suite.backup.BackupConfig;
import io.suite.backup.dumps.Artifact;
import io.suite.backup.maintenance.MaintenanceClient;
import io.suite.backup.maintenance.MaintenanceState;

@Path("/v1/backups")
@Produces(MediaType.APPLICATION_JSON)
public class BackupResource {
    /** Who a scheduled backup is recorded as started by. */
    static final String SCHEDULE = "backup-service";

    public record CreateBackup(@Size(max = 200) String label, String maintenance) {}

    /** The 202 of create, verify and restore (answered as a map). */
    @Schema(name = "BackupStarted")
    public record BackupStarted(
            @Schema(required = true) String id,
            @Schema(required = true) BackupStatus status) {}

    /** The 202 of restore (answered as a map). */
    @Schema(name = "RestoreStarted")
    public record RestoreStarted(
            @Schema(required = true) String id,
            @Schema(required = true) String restore,
            @Schema(required = true) List<String> databases) {}

    /** GET /v1/backups (answered as a map). */
    @Schema(name = "BackupList")
    public record BackupList(@Schema(required = true) List<BackupView> backups) {}

    public record RestoreRequest(@Size(max = 20) List<@Size(max = 63) String> databases) {}

    private final BackupCatalog catalog;
    private final BackupRunner runner;
    private final MaintenanceClient maintenance;
    private final BackupConfig config;
    private final SecurityIdentity caller;

    BackupResource(
            BackupCatalog catalog,
            BackupRunner runner,
            @RestClient MaintenanceClient maintenance,
            BackupConfig config,
            SecurityIdentity caller) {
        this.catalog = catalog;
        this.runner = runner;
        this.maintenance = maintenance;
        this.config = config;
        this.caller = caller;
    }

    /** Starts a backup: 202 at once; follow it with GET /v1/backups/{id}. */
    @POST
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Start a backup")
    @APIResponse(
            responseCode = "202",
            description = "Started: its id and status",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BackupStarted.class)))
    @APIResponse(
            responseCode = "409",
            description =
                    "A backup or restore is running (.../backup-running), or require and the system is not drained (.../not-drained)")
    public Uni<Response> create(@Valid @NotNull CreateBackup request) {
        MaintenanceMode mode = MaintenanceMode.parse(request.maintenance())
                .orElseThrow(() -> Problems.validation(
                        "maintenance",
                        "maintenance must be \"auto\" or \"require\", not \"" + request.maintenance() + "\""));
        String label =
                request.label() == null || request.label().isBlank() ? "backup " + Instant.now() : request.label();
        return start(label, mode, who())
                .map(b -> Response.accepted(Map.of("id", b.id, "status", b.status))
                        .build());
    }

    /** Shared by the API and the schedule: checks, inserts the catalog row (one job at a time), starts the worker. */
    public Uni<Backup> start(String label, MaintenanceMode mode, String requestedBy) {
        return failStale()
                .chain(() -> catalog.activeJob())
                .chain(active -> {
                    if (active != null) {
                        return Uni.createFrom().failure(Problems.jobRunning());
                    }
                    return state();
                })
                .chain(state -> {
                    if (mode == MaintenanceMode.REQUIRE && !state.drained()) {
                        return Uni.createFrom()
                                .failure(Problems.of(
                                        409,
                                        "not-drained",
                                        "The system is not drained",
                                        "maintenance \"require\" needs the system read-only and DRAINED; it is "
                                                + state.describe()));
                    }
                    Backup backup = new Backup();
                    backup.id = UUID.randomUUID();
                    backup.label = label;
                    backup.requestedBy = requestedBy;
                    backup.mode = mode;
                    backup.status = state.drained() ? BackupStatus.RUNNING : BackupStatus.WAITING_FOR_DRAIN;
                    backup.epoch = state.readOnly() ? state.epoch() : null;
                    backup.startedAt = Instant.now();
                    backup.heartbeatAt = backup.startedAt;
                    return catalog.insert(backup);
                })
                .onFailure(BackupCatalog.JobRunning.class)
                .transform(e -> Problems.jobRunning())
                .invoke(runner::startBackup);
    }

    @GET
    @RolesAllowed(Roles.READER)
    @Operation(summary = "Every backup, newest first")
    @APIResponse(
            responseCode = "200",
            description = "The backups",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BackupList.class)))
    public Uni<Map<String, List<BackupView>>> list() {
        return catalog.list(100)
                .map(backups ->
                        Map.of("backups", backups.stream().map(this::view).toList()));
    }

    @GET
    @Path("/{id}")
    @RolesAllowed(Roles.READER)
    @Operation(summary = "A backup")
    @APIResponse(
            responseCode = "200",
            description = "The backup",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BackupView.class)))
    public Uni<BackupView> get(@PathParam("id") String id) {
        return found(id).map(this::view);
    }

    /** Verifies an existing backup again (its files may have rotted since): 202, then status and verified change. */
    @POST
    @Path("/{id}/verify")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(summary = "Verify a backup again")
    @APIResponse(
            responseCode = "202",
            description = "Started: its id and status",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = BackupStarted.class)))
    @APIResponse(responseCode = "409", description = "Nothing to verify, or a backup or restore is running")
    public Uni<Response> verify(@PathParam("id") String id) {
        return found(id)
                .chain(backup -> {
                    if (backup.status.active() || backup.folder == null) {
                        return Uni.createFrom()
                                .failure(Problems.of(
                                        409,
                                        "conflict",
                                        "Nothing to verify",
                                        "backup " + id + " is " + backup.status
                                                + (backup.folder == null ? " and has no dumps" : "")));
                    }
                    return catalog.update(backup.id, b -> {
                        b.status = BackupStatus.VERIFYING;
                        b.heartbeatAt = Instant.now();
                    });
                })
                .onFailure(BackupCatalog.JobRunning.class)
                .transform(e -> Problems.jobRunning())
                .invoke(b -> runner.startVerification(b.id))
                .map(b -> Response.accepted(Map.of("id", b.id, "status", b.status))
                        .build());
    }

    /**
     * Restores the databases of a verified backup over the live ones. Only while the system is DRAINED (no
     * write path writes while the data is replaced); the job then holds read-only until it ends. By default
     * {@code backup.restore.databases}; never {@code backup.restore.never} (the maintenance database).
     */
    @POST
    @Path("/{id}/restore")
    @RolesAllowed(Roles.ADMIN)
    @Operation(summary = "Restore a verified backup (needs phase DRAINED)")
    @APIResponse(
            responseCode = "202",
            description = "Started: the backup's id, the restore's status and its databases",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = RestoreStarted.class)))
    @APIResponse(
            responseCode = "409",
            description = "Not verified, not read-only, not drained, or a backup or restore is running")
    public Uni<Response> restore(@PathParam("id") String id, @Valid RestoreRequest request) {
        String who = who();
        return found(id).chain(backup -> {
            List<String> dumped =
                    runner.artifacts(backup).stream().map(Artifact::database).toList();
            boolean named = request != null
                    && request.databases() != null
                    && !request.databases().isEmpty();
            List<String> databases = named
                    ? request.databases()
                    : config.restore().databases().stream()
                            .filter(dumped::contains)
                            .toList();
            List<String> refused = databases.stream()
                    .filter(config.restore().never()::contains)
                    .toList();
            if (!refused.isEmpty()) {
                return Uni.createFrom()
                        .failure(Problems.validation(
                                "databases",
                                "never restored: " + refused + " (the maintenance database's epochs must only grow)"));
            }
            if (backup.status != BackupStatus.SUCCEEDED || !Boolean.TRUE.equals(backup.verified)) {
                return Uni.createFrom()
                        .failure(Problems.of(
                                409,
                                "not-verified",
                                "Backup not verified",
                                "only a SUCCEEDED, verified backup is restored; " + id + " is " + backup.status));
            }
            List<String> unknown =
                    databases.stream().filter(d -> !dumped.contains(d)).toList();
            if (!unknown.isEmpty()) {
                return Uni.createFrom()
                        .failure(Problems.validation(
                                "databases", "backup " + id + " has no dump of " + unknown + "; it has " + dumped));
            }
            if (databases.isEmpty()) {
                return Uni.createFrom()
                        .failure(Problems.validation(
                                "databases", "nothing to restore: name the" + " databases, one of " + dumped));
            }
            return state().chain(state -> {
                        if (!state.readOnly()) {
                            return Uni.createFrom()
                                    .failure(Problems.of(
                                            409,
                                            "read-write",
                                            "The system is not read-only",
                                            "a restore needs the system read-only and DRAINED (POST /v1/maintenance/read-only first);"
                                                    + " it is " + state.describe()));
                        }
                        if (!state.drained()) {
                            return Uni.createFrom()
                                    .failure(Problems.of(
                                            409,
                                            "not-drained",
                                            "The system is not drained",
                                            "a restore needs every write path drained or fenced; it is "
                                                    + state.describe()));
                        }
                        return catalog.update(backup.id, b -> {
                            b.restoreStatus = "RUNNING";
                            b.restoreStartedAt = Instant.now();
                            b.restoreFinishedAt = null;
                            b.restoreError = null;
                            b.restoreRequestedBy = who;
                            b.heartbeatAt = Instant.now();
                        });
                    })
                    .onFailure(BackupCatalog.JobRunning.class)
                    .transform(e -> Problems.jobRunning())
                    .invoke(b -> runner.startRestore(b.id, databases))
                    .map(b -> Response.accepted(Map.of("id", b.id, "restore", "RUNNING", "databases", databases))
                            .build());
        });
    }

    /** Who asks: the token's principal (its preferred_username), never anything the body says. */
    private String who() {
        return caller.getPrincipal().getName();
    }

    private Uni<Backup> found(String id) {
        UUID uuid;
        try {
            uuid = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(Problems.notFound(id));
        }
        return catalog.find(uuid).onItem().ifNull().failWith(() -> Problems.notFound(id));
    }

    private Uni<MaintenanceState> state() {
        return maintenance
                .state()
                .ifNoItem()
                .after(Duration.ofSeconds(10))
                .fail()
                .onFailure()
                .transform(e -> Problems.of(
                        503,
                        "maintenance-unavailable",
                        "maintenance-service unavailable",
                        "cannot learn the maintenance state: " + e.getMessage()));
    }

    private Uni<Integer> failStale() {
        return catalog.failStale(Instant.now().minus(config.staleAfter()));
    }

    private BackupView view(Backup backup) {
        return BackupView.of(backup, runner.artifacts(backup));
    }
}
