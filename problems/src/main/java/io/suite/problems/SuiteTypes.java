package io.suite.problems;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemContext;
import io.quarkiverse.resteasy.problem.postprocessing.ProblemPostProcessor;
import io.quarkus.arc.Arc;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * A problem that Quarkus raises itself (a Bean Validation constraint, an unknown path, a wrong
 * method or media type) comes without a type, or with {@code about:blank}: give it the suite's type
 * for its status ({@link ProblemTypes#forStatus}), so that callers can match every answer on a suite type.
 * A 400 for unreadable JSON gets the {@code violations} of {@link JsonBodyMappers}.
 */
@ApplicationScoped
public class SuiteTypes implements ProblemPostProcessor {
    @Override
    public HttpProblem apply(HttpProblem problem, ProblemContext context) {
        JsonProcessingException json = JsonBodyMappers.jsonCause(context.cause);
        if (json != null && problem.getStatusCode() == 400) {
            return JsonBodyMappers.problem(json);
        }
        if (problem.getStatusCode() == 404
                && context.cause instanceof NotFoundException missing
                && missing.getCause() != null
                && !(missing.getCause() instanceof WebApplicationException)) {
            return unconvertible(missing.getCause());
        }
        boolean untyped = problem.getType() == null
                || "about:blank".equals(problem.getType().toString());
        return untyped
                ? HttpProblem.builder(problem)
                        .withType(ProblemTypes.forStatus(problem.getStatusCode()))
                        .build()
                : problem;
    }

    /**
     * JAX-RS answers a query or path parameter it could not convert (limit=1.5 for an int) with a 404
     * caused by the conversion's failure: that is bad input, a 400 naming the parameter when the
     * failing value is one of the request's query values.
     */
    private static HttpProblem unconvertible(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        String field = "parameter";
        RoutingContext rc =
                Arc.container().instance(CurrentVertxRequest.class).get().getCurrent();
        if (rc != null) {
            for (Map.Entry<String, String> q : rc.queryParams()) {
                if (message.contains("\"" + q.getValue() + "\"")) {
                    field = "query." + q.getKey(); // as QueryParameters names them
                    break;
                }
            }
        }
        return Violations.of("Invalid parameter", field, "is not of its type (" + message + ")");
    }
}
