package io.suite.backup.maintenance;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** maintenance-service's API (DESIGN.md "Maintenance API"). */
@RegisterRestClient(configKey = "maintenance-service")
@Path("/v1/maintenance")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public interface MaintenanceClient {

    @GET
    Uni<MaintenanceState> state();

    @POST
    @Path("/read-only")
    Uni<MaintenanceState> readOnly(ReadOnlyRequest request);

    @POST
    @Path("/read-write")
    Uni<MaintenanceState> readWrite(ReadWriteRequest request);

    record ReadOnlyRequest(String reason, long durationMs, long drainTimeoutMs, String requestedBy, String holder) {
    }

    record ReadWriteRequest(String reason, String requestedBy, String holder, boolean force) {
    }
}
