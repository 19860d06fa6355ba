package io.suite.posting.runs;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.suite.access.Roles;
import io.suite.problems.Violations;

/** Posting runs: started by an {@code operator} (recorded as the run's startedBy), read by a {@code reader}. */
@Path("/v1/posting-runs")
public class PostingRunResource {

    public record Start(Integer parallelism, Integer batchSize) {}

    private final PostingRuns runs;

    PostingRunResource(PostingRuns runs) {
        this.runs = runs;
    }

    @POST
    @Blocking
    @Operation(summary = "Post every DRAFT document, partitioned by warehouse")
    @APIResponse(
            responseCode = "202",
            description = "Started",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = PostingRunApi.RunStarted.class)))
    @RolesAllowed(Roles.OPERATOR)
    public Response start(Start body, @Context SecurityContext caller) {
        int parallelism = body == null || body.parallelism() == null ? 4 : body.parallelism();
        int batchSize = body == null || body.batchSize() == null ? 500 : body.batchSize();
        Violations v = new Violations();
        if (parallelism < 1 || parallelism > 64) {
            v.add("parallelism", "must be 1..64");
        }
        if (batchSize < 1 || batchSize > 1000) {
            v.add("batchSize", "must be 1..1000");
        }
        v.throwIfAny("Invalid posting run");
        PostingRuns.Run run =
                runs.start(parallelism, batchSize, caller.getUserPrincipal().getName());
        return Response.accepted(Map.of("id", run.id)).build();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "A posting run")
    @APIResponse(
            responseCode = "200",
            description = "The run",
            content =
                    @Content(
                            mediaType = "application/json",
                            schema = @Schema(implementation = PostingRunApi.Run.class)))
    @RolesAllowed(Roles.READER)
    public Uni<Map<String, Object>> get(@PathParam("id") String id) {
        return runs.find(id).map(view -> view.orElseThrow(() -> PostingRuns.notFound(id)));
    }
}
