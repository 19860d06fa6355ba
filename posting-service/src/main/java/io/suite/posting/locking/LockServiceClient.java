package io.suite.posting.locking;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import io.quarkus.oidc.client.filter.OidcClientFilter;
import io.smallrye.mutiny.Uni;

/**
 * lock-service API v1 (DESIGN.md "Lock service API"), the part posting needs. Every call carries posting-service's
 * own client-credentials token (the default {@code quarkus.oidc-client}, renewed before it expires): lock-service
 * records its service account as the principal of each lock transaction.
 */
@RegisterRestClient(configKey = "lock-service")
@OidcClientFilter
@Path("/v1/lock-transactions")
public interface LockServiceClient {

    @POST
    Uni<Transaction> begin(Begin body);

    /** More items in an existing lock transaction (all or nothing). */
    @POST
    @Path("/{id}/locks")
    Uni<Grant> lock(@PathParam("id") String id, @HeaderParam("X-Lock-Token") String token, Lock body);

    @DELETE
    @Path("/{id}")
    Uni<Void> end(@PathParam("id") String id, @HeaderParam("X-Lock-Token") String token);

    /** Begin with items: the transaction begun and its items locked in one call, all or nothing. */
    record Begin(String owner, String label, long leaseMs, long timeoutMs, List<Item> items) {}

    /**
     * {@code fencingToken}: of the items locked at begin; {@code escalated}: what they became (see
     * {@link Escalation#parse}: either shape lock-service has answered).
     */
    record Transaction(String id, String token, long leaseMs, String expiresAt, long fencingToken, Object escalated) {}

    record Lock(long timeoutMs, List<Item> items) {}

    record Grant(long fencingToken, long waitedMs, Object escalated) {}

    /** The data-source form: one row per (item, warehouse), each field an equality. */
    record Item(String space, String mode, List<Map<String, String>> rows) {}
}
