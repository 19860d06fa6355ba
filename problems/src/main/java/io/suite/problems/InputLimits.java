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
}
