package io.suite.problems;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code suite.input.*}: limits every service puts on what a request carries. The body size limit is
 * Quarkus' own {@code quarkus.http.limits.max-body-size} (answered as a 413 problem by {@link BodySizeLimit});
 * each service limits its own fields' lengths and its own numbers (see its README).
 */
@ConfigMapping(prefix = "suite.input")
public interface InputLimits {
    /** Longest value of one query parameter. */
    @WithDefault("1000")
    int maxQueryParameterLength();

    /**
     * Longest request line (method, URI, version) answered by a route: longer ones get 414 problem+json from
     * {@link RequestHeadLimit}. Must stay under {@code quarkus.http.limits.max-initial-line-length}, past which
     * Vert.x answers a bare 414 itself (problems' META-INF/microprofile-config.properties raises it to 64K).
     */
    @WithDefault("4096")
    int maxRequestLineLength();

    /** Largest header block (names, values, ": " and CRLF) answered by a route: larger ones get 431 problem+json. */
    @WithDefault("20480")
    int maxHeaderSize();
}
