package io.suite.maintenance;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import io.suite.access.Roles;

/**
 * Who may force (DESIGN.md "Security"): {@code "force":true} is the admin's, whatever the state, so an
 * operator's forced request is refused (403 {@code .../forbidden}) before it is looked at, and changes nothing.
 */
final class Force {
    private Force() {}

    static boolean allowed(SecurityIdentity caller, Boolean force) {
        if (Boolean.TRUE.equals(force) && !caller.hasRole(Roles.ADMIN)) {
            throw new ForbiddenException("\"force\":true needs role " + Roles.ADMIN);
        }
        return Boolean.TRUE.equals(force);
    }
}
