package io.suite.access;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Takes the bearer token from {@value #HEADER} when a request has no {@code Authorization}. The Kubernetes API
 * server's service proxy (the kubectl plugin's way in) authenticates the caller itself and removes its
 * {@code Authorization} before forwarding, so the plugin sends the realm token in this header instead. The token
 * is then checked exactly like any other: the header adds a way to carry it, not a way around it.
 */
@Singleton
public class ForwardedToken {
    public static final String HEADER = "X-Suite-Authorization";
    /** After problems' limits on the request head and body (orders -4 and -3), before any resource. */
    static final int ORDER = -2;

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(ForwardedToken::carry);
    }

    static void carry(RoutingContext rc) {
        String forwarded = rc.request().getHeader(HEADER);
        if (forwarded != null && rc.request().getHeader(HttpHeaders.AUTHORIZATION) == null) {
            rc.request().headers().set(HttpHeaders.AUTHORIZATION, forwarded);
        }
        rc.next();
    }
}
