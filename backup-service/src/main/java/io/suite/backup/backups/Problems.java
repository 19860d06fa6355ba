package io.suite.backup.backups;

import io.quarkiverse.resteasy.problem.HttpProblem;

import java.net.URI;
import java.util.List;
import java.util.Map;

/** The problem+json answers of this API; type URIs end in the suite's stable names. */
final class Problems {
    static final URI VALIDATION = type("validation");

    private Problems() {
    }

    private static URI type(String name) {
        return URI.create("https://suite.dev/problems/" + name);
    }

    static HttpProblem of(int status, String type, String title, String detail) {
        return HttpProblem.builder().withStatus(status).withType(type(type)).withTitle(title).withDetail(detail).build();
    }

    static HttpProblem notFound(String id) {
        return of(404, "not-found", "No such backup", "no backup has id " + id);
    }

    static HttpProblem validation(String detail) {
        return of(400, "validation", "Bad request", detail);
    }

    /** A bad field of the request, named in {@code violations} as every service names them. */
    static HttpProblem validation(String field, String message) {
        return HttpProblem.builder().withStatus(400).withType(VALIDATION).withTitle("Bad request")
                .withDetail(field + ": " + message)
                .with("violations", List.of(Map.of("field", field, "message", message))).build();
    }

    static HttpProblem jobRunning() {
        return of(409, "backup-running", "A backup job is running",
                "another backup, verification or restore is running; one at a time");
    }
}
