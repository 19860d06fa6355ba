package io.suite.access;

import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.SecurityContext;

/** Endpoints guarded the way the services guard theirs. */
@Path("/v1/test/guarded")
public class GuardedResource {
    public record Flip(String reason) {}

    @GET
    @RolesAllowed(Roles.READER)
    public String whoAmI(@Context SecurityContext security) {
        return security.getUserPrincipal().getName();
    }

    @POST
    @RolesAllowed(Roles.OPERATOR)
    public Flip flip(Flip flip) {
        return flip;
    }

    @GET
    @Path("/open")
    @PermitAll
    public String open() {
        return "open";
    }

    /** Names no role: closed to everyone (quarkus.security.jaxrs.deny-unannotated-endpoints). */
    @GET
    @Path("/forgotten")
    public String forgotten() {
        return "forgotten";
    }
}
