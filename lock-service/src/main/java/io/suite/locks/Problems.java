package io.suite.locks;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.problems.ProblemTypes;
import io.suite.problems.Violations;

/** The problem+json answers of the lock service, with the suite's stable type URIs. */
final class Problems {
    private Problems() {}

    static HttpProblem.Builder problem(int status, String name, String title) {
        return HttpProblem.builder()
                .withType(ProblemTypes.of(name))
                .withStatus(status)
                .withTitle(title);
    }

    /** A 400 naming the bad field ({@code items[0].fields.item.in}, or {@code body}). */
    static HttpProblem badInput(String field, String message) {
        return Violations.of("Bad lock request", field, message);
    }

    static HttpProblem noSuchTransaction(String id) {
        return problem(404, "no-such-transaction", "No such lock transaction")
                .withDetail("lock transaction " + id + " is unknown, ended or expired")
                .build();
    }

    static HttpProblem forbidden() {
        return problem(403, "forbidden", "Not this lock transaction's principal and token")
                .withDetail("only the principal that began this lock transaction may act on it, with its X-Lock-Token:"
                        + " the token is missing or wrong, or the caller is another principal")
                .build();
    }

    /** Redis did not answer in time, or refused the connection: try again shortly. */
    static HttpProblem unavailable(Throwable cause) {
        return problem(503, "lock-service-unavailable", "Lock store unavailable")
                .withHeader("Retry-After", 1)
                .withDetail("Redis, where all lock state lives, did not answer ("
                        + cause.getClass().getSimpleName() + "); nothing was decided, try again")
                .build();
    }

    /** The replica holding a waiting request lost track of it (Redis stalled past the waiter lease). */
    static HttpProblem waitLost() {
        return problem(503, "lock-service-unavailable", "Lock wait lost")
                .withHeader("Retry-After", 1)
                .withDetail("the waiting lock request was dropped while Redis could not be reached; nothing is held"
                        + " for it, try again")
                .build();
    }

    static HttpProblem busy(String id) {
        return problem(409, "conflict", "A lock request of this transaction is already waiting")
                .withDetail("lock transaction " + id + " waits for a lock request already; one at a time")
                .build();
    }
}
