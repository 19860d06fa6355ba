package io.suite.locks;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.oidc.TenantResolver;
import io.quarkus.oidc.runtime.OidcUtils;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Which OIDC tenant checks a request. The API takes bearer tokens (the default tenant of access: no or a bad
 * token is a 401, never a redirect). The monitor page logs a person in through the browser instead (tenant
 * {@value #TENANT}, the code flow of client lock-monitor): a GET of the page, and a GET carrying that tenant's
 * session cookie (the page's own fetch and EventSource calls, which send no header). Only GETs: a cookie never
 * authenticates a write, so no other site can make a logged-in browser lock anything.
 */
@ApplicationScoped
public class MonitorLogin implements TenantResolver {
    static final String TENANT = "monitor";
    /** The monitor tenant's session cookie ({@code q_session_monitor}, or its chunks {@code ..._chunk_1}, ...). */
    static final String SESSION_COOKIE = "q_session_" + TENANT;

    /**
     * The bearer tenant by name, never null: null would let quarkus-oidc pick the tenant a session cookie names,
     * so a cookie would authenticate a write.
     */
    static final String BEARER = OidcUtils.DEFAULT_TENANT_ID;

    @Override
    public String resolve(RoutingContext rc) {
        if (!HttpMethod.GET.equals(rc.request().method())
                || rc.request().getHeader(HttpHeaders.AUTHORIZATION) != null) {
            return BEARER;
        }
        String path = rc.normalizedPath();
        if (path.equals("/") || path.equals("/index.html")) {
            return TENANT;
        }
        return rc.request().cookies().stream().anyMatch(c -> c.getName().startsWith(SESSION_COOKIE)) ? TENANT : BEARER;
    }
}
