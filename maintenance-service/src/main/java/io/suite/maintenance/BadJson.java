package io.suite.maintenance;

import java.net.URI;

import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkiverse.resteasy.problem.HttpProblem;

/**
 * A body of the wrong JSON shape (e.g. an array for an object): Quarkus REST's own mapper answers
 * 400 without a body, so say it as problem+json like every other bad input.
 */
public class BadJson {
    static final URI VALIDATION = URI.create("https://suite.dev/problems/validation");

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return HttpProblem.builder().withType(VALIDATION).withStatus(Response.Status.BAD_REQUEST)
                .withTitle("Bad Request").withDetail("Request body does not have the expected shape: "
                        + e.getOriginalMessage())
                .build().toResponse();
    }
}
