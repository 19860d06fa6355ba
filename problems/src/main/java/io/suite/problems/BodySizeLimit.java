package io.suite.problems;

import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A body over {@code quarkus.http.limits.max-body-size}: Quarkus answers 413 with no body, from a
 * route that runs before any JAX-RS mapper. This route runs just before it and answers the same 413 as
 * {@code application/problem+json}, type {@code .../payload-too-large}. A chunked body without a
 * Content-Length is still cut off by Quarkus while it is read.
 */
@Singleton
public class BodySizeLimit {
    /** Quarkus' own limit route has order -2; this one must come first. */
    static final int ORDER = -3;

    private final long limit;

    BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> max) {
        this.limit = max.map(MemorySize::asLongValue).orElse(10240L * 1024);
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext rc) {
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long declared;
        try {
            declared = length == null ? -1 : Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            declared = -1;
        }
        if (declared <= limit) {
            rc.next();
            return;
        }
        JsonObject problem = new JsonObject()
                .put("type", ProblemTypes.PAYLOAD_TOO_LARGE.toString())
                .put("status", 413)
                .put("title", "Request body too large")
                .put("detail", "the body has " + declared + " bytes; this service takes at most " + limit)
                .put("instance", rc.request().path());
        rc.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(problem.encode()).onComplete(done -> rc.request().connection().close());
    }
}
