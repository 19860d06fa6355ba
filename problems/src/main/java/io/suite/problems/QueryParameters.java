package io.suite.problems;

import java.util.List;
import java.util.Map;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every query parameter of every call obeys {@link Text#characters} and {@link InputLimits#maxQueryParameterLength}
 * ({@code GET /v1/balances?item=%00} was a 500: PostgreSQL takes no NUL): a 400 naming the parameter.
 */
public class QueryParameters {
    private final InputLimits limits;

    QueryParameters(InputLimits limits) {
        this.limits = limits;
    }

    /**
     * A {@code limit} query parameter: {@code defaultLimit} when absent, else a whole number from 1 to {@code max},
     * or a 400 naming it.
     */
    public static int limit(String value, int defaultLimit, int max) {
        if (value == null) {
            return defaultLimit;
        }
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 1 || n > max) {
            throw Violations.of("Bad query parameter", "limit", "must be a whole number from 1 to " + max);
        }
        return n;
    }

    @ServerRequestFilter
    public Response check(UriInfo uri) {
        Violations violations = new Violations();
        for (Map.Entry<String, List<String>> p : uri.getQueryParameters(true).entrySet()) {
            violations.addIf(
                    "query." + p.getKey(),
                    Text.name(p.getKey(), limits.maxQueryParameterLength()) == null
                            ? null
                            : "is not an acceptable parameter name");
            for (String value : p.getValue()) {
                violations.addIf("query." + p.getKey(), Text.name(value, limits.maxQueryParameterLength()));
            }
        }
        return violations.isEmpty()
                ? null
                : violations.problem("Bad query parameter").toResponse();
    }
}
