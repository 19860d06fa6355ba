package io.suite.backup.backups;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.problems.ProblemTypes;
import io.suite.problems.Violations;

/** The problem+json answers of this API; type names are the suite's ({@link ProblemTypes}). */
final class Problems {
    private Problems() {}

    static HttpProblem of(int status, String type, String title, String detail) {
        return HttpProblem.builder()
                .withStatus(status)
                .withType(ProblemTypes.of(type))
                .withTitle(title)
                .withDetail(detail)
                .build();
    }

    static HttpProblem notFound(String id) {
        return of(404, "not-found", "No such backup", "no backup has id " + id);
    }

    /** A 400 naming the bad field. */
    static HttpProblem validation(String field, String detail) {
        return Violations.of("Bad request", field, detail);
    }

    static HttpProblem jobRunning() {
        return of(
                409,
                "backup-running",
                "A backup job is running",
                "another backup, verification or restore is running; one at a time");
    }
}
