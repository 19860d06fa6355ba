package io.suite.problems;

import java.net.URI;
import java.util.Map;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * A request line over {@code suite.input.max-request-line-length} → 414 {@code .../uri-too-long}, headers over
 * {@code suite.input.max-header-size} → 431 {@code .../headers-too-large}, both problem+json, from the first
 * route. Vert.x's own limits (raised to 64K by problems' META-INF/microprofile-config.properties) stay behind
 * it: past them Vert.x still answers a bare 414/431 before any route runs, as no hook of Quarkus sees it.
 */
@Singleton
public class RequestHeadLimit {
    /** Before {@link BodySizeLimit}: the head is judged before the body. */
    static final int ORDER = BodySizeLimit.ORDER - 1;

    private final InputLimits limits;

    RequestHeadLimit(InputLimits limits) {
        this.limits = limits;
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext rc) {
        int line =
                rc.request().method().name().length() + 1 + rc.request().uri().length() + " HTTP/1.1".length();
        if (line > limits.maxRequestLineLength()) {
            refuse(
                    rc,
                    414,
                    ProblemTypes.URI_TOO_LONG,
                    "Request line too long",
                    "the request line has " + line + " characters; this service takes at most "
                            + limits.maxRequestLineLength());
            return;
        }
        long headers = 0;
        for (Map.Entry<String, String> h : rc.request().headers()) {
            headers += h.getKey().length() + 2 + h.getValue().length() + 2;
        }
        if (headers > limits.maxHeaderSize()) {
            refuse(
                    rc,
                    431,
                    ProblemTypes.HEADERS_TOO_LARGE,
                    "Request headers too large",
                    "the headers have " + headers + " bytes; this service takes at most " + limits.maxHeaderSize());
            return;
        }
        rc.next();
    }

    private static void refuse(RoutingContext rc, int status, URI type, String title, String detail) {
        JsonObject problem = new JsonObject()
                .put("type", type.toString())
                .put("status", status)
                .put("title", title)
                .put("detail", detail)
                .put(
                        "instance",
                        rc.request().path().length() > 200
                                ? rc.request().path().substring(0, 200)
                                : rc.request().path());
        rc.response()
                .setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                .end(problem.encode());
    }
}
