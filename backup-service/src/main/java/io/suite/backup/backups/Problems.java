package io.suite.backup.backups;

import io.quarkiverse.resteasy.problem.HttpProblem;

import java.net.URI;

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

    static HttpProblem jobRunning() {
        return of(409, "backup-running", "A backup job is running",
                "another backup, verification or restore is running; one at a time");
    }
}
