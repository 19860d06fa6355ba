package io.suite.problems;

import java.util.Optional;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A body over {@code quarkus.http.limits.max-body-size}: Quarkus answers 413 with no body, from a
 * route that runs before any JAX-RS mapper. This route runs just before it and answers the same 413 as
 * {@code application/problem+json}, type {@code .../payload-too-large}. A chunked body without a
 * Content-Length is still cut off by Quarkus while it is read.
 * <p>
 * Most clients send the whole body before they read the answer. Closing the connection on unread
 * bytes resets it, and such a client loses the 413 (the JDK client reports "header parser received no
 * bytes"). So the rest of the body is read and thrown away, up to {@link #DRAIN_AT_MOST} bytes and
 * {@link #DRAIN_FOR_MS}, and only then is the connection closed.
 */
@Singleton
public class BodySizeLimit {
    /** Quarkus' own limit route has order -2; this one must come first. */
    static final int ORDER = -3;

    static final long DRAIN_AT_MOST = 64L * 1024 * 1024;
    static final long DRAIN_FOR_MS = 10_000;

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
        long tooLarge = declared;
        JsonObject problem = new JsonObject()
                .put("type", ProblemTypes.PAYLOAD_TOO_LARGE.toString())
                .put("status", 413)
                .put("title", "Request body too large")
                .put("detail", "the body has " + declared + " bytes; this service takes at most " + limit)
                .put("instance", rc.request().path());
        rc.response()
                .setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(problem.encode())
                .onComplete(sent -> drainThenClose(rc, tooLarge));
    }

    private static void drainThenClose(RoutingContext rc, long declared) {
        HttpServerRequest request = rc.request();
        HttpConnection connection = request.connection();
        if (declared > DRAIN_AT_MOST || request.isEnded()) {
            connection.close();
            return;
        }
        long timer = rc.vertx().setTimer(DRAIN_FOR_MS, t -> connection.close());
        request.exceptionHandler(e -> connection.close());
        request.handler(discarded -> {});
        request.endHandler(v -> {
            rc.vertx().cancelTimer(timer);
            connection.close();
        });
        request.resume();
    }
}
