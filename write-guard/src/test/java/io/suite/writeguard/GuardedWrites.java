package io.suite.writeguard;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.security.PermitAll;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import io.smallrye.mutiny.Uni;

/** Test-only write path: a write that completes at once, or is held until the test releases it. */
// roles are access's business (AccessTest): write-guard's endpoints here are open (@PermitAll on each:
// on the class it would also guard the methods the tests call directly, outside any request)
@Path("/test/writes")
@ApplicationScoped
public class GuardedWrites {
    final Map<String, CompletableFuture<String>> held = new ConcurrentHashMap<>();
    final Set<String> cancelled = ConcurrentHashMap.newKeySet();
    final Set<String> committed = ConcurrentHashMap.newKeySet();
    final Set<String> failed = ConcurrentHashMap.newKeySet();

    @Inject
    WriteGuard guard;

    @PermitAll
    @POST
    @Path("/{id}")
    public Uni<String> write(
            @PathParam("id") String id,
            @QueryParam("hold") boolean hold,
            @QueryParam("withoutPermit") boolean withoutPermit) {
        if (withoutPermit) { // the write(Supplier) form: the work cannot check its permit
            return guard.write(() -> Uni.createFrom()
                    .completionStage(held.computeIfAbsent(id, k -> new CompletableFuture<>()))
                    .invoke(() -> committed.add(id))
                    .onCancellation()
                    .invoke(() -> cancelled.add(id)));
        }
        return guard.write(permit -> {
            Uni<String> work = hold
                    ? Uni.createFrom().completionStage(held.computeIfAbsent(id, k -> new CompletableFuture<>()))
                    : Uni.createFrom().item(id);
            return work.invoke(() -> {
                        permit.check(); // the last step before COMMIT
                        committed.add(id);
                    })
                    .onFailure()
                    .invoke(() -> failed.add(id))
                    .onCancellation()
                    .invoke(() -> cancelled.add(id));
        });
    }

    @PermitAll
    @GET
    public String read() {
        return "reads always work";
    }

    // Accessors, not fields: the test holds a client proxy of this bean.
    boolean committed(String id) {
        return committed.contains(id);
    }

    boolean cancelled(String id) {
        return cancelled.contains(id);
    }

    /** The work itself ended in a failure (e.g. permit.check() refused its COMMIT). */
    boolean failed(String id) {
        return failed.contains(id);
    }

    void release(String id) {
        held.computeIfAbsent(id, k -> new CompletableFuture<>()).complete(id);
    }
}
