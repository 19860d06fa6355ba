package io.suite.backup.maintenance;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.quarkus.oidc.client.filter.OidcClientFilter;
import io.smallrye.mutiny.Uni;

/**
 * maintenance-service's API (DESIGN.md "Maintenance API"), called with backup-service's own client-credentials
 * token (the default quarkus-oidc-client): the history then names {@code service-account-backup-service}.
 */
@RegisterRestClient(configKey = "maintenance-service")
@OidcClientFilter
@Path("/v1/maintenance")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface MaintenanceClient {

    @GET
    Uni<MaintenanceState> state();

    @POST
    @Path("/read-only")
    Uni<MaintenanceState> readOnly(ReadOnlyRequest request);

    /** Extends the lease of read-only {@code epoch}; 409 when the system is no longer in that epoch. */
    @POST
    @Path("/read-only/renew")
    Uni<MaintenanceState> renew(RenewRequest request);

    /** Drops the hold of {@code heldBy}; the mode stays as it is. */
    @POST
    @Path("/read-only/release")
    Uni<MaintenanceState> release(ReleaseRequest request);

    @POST
    @Path("/read-write")
    Uni<MaintenanceState> readWrite(ReadWriteRequest request);

    /** {@code heldBy} "backup:<id>": while it holds, read-write without it is refused (409) unless forced. */
    record ReadOnlyRequest(String reason, long durationMs, long drainTimeoutMs, String heldBy) {}

    record RenewRequest(long durationMs, long epoch, String heldBy) {}

    record ReleaseRequest(String heldBy) {}

    record ReadWriteRequest(String reason, boolean force, String heldBy) {}
}
