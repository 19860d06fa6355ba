package io.suite.posting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.posting.model.Shortage;
import io.suite.problems.ProblemTypes;
import io.suite.problems.Violations;
import io.suite.writeguard.WriteGuard;

/**
 * The problems (application/problem+json) this service answers when a posting is refused, in one
 * place: their types, statuses and bodies are the contract (DESIGN.md, "Posting service API").
 * A database that is gone has its own two in {@link DatabaseOutage}.
 */
public final class PostingProblems {
    private PostingProblems() {}

    /** 422: {@code shortages} as {@code [{item, warehouse, requested, available}]}. */
    public static HttpProblem insufficientStock(List<Shortage> shortages) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Shortage sh : shortages) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("item", sh.item());
            m.put("warehouse", sh.warehouse());
            m.put("requested", sh.requested());
            m.put("available", sh.available());
            list.add(m);
        }
        return HttpProblem.builder()
                .withType(ProblemTypes.INSUFFICIENT_STOCK)
                .withTitle("Insufficient stock")
                .withStatus(422)
                .withDetail("A stock balance would go below zero; nothing was written")
                .with("shortages", list)
                .build();
    }

    /** 409: a later lock holder has written the rows (this holder's lease ran out). */
    public static HttpProblem lockLost(Long token) {
        return HttpProblem.builder()
                .withType(ProblemTypes.LOCK_LOST)
                .withTitle("Managed lock lost")
                .withStatus(409)
                .withDetail("A later lock holder has written these Stock rows (fencing token " + token
                        + " is stale: the lock transaction's lease ran out); nothing was written")
                .build();
    }

    /** 503: serialization failures (AUTOMATIC) or writers outside managed locks, {@code attempts} times. */
    public static HttpProblem tooMuchContention(int attempts) {
        return HttpProblem.builder()
                .withType(ProblemTypes.SERIALIZATION_FAILURE)
                .withTitle("Too much contention")
                .withStatus(503)
                .withHeader("Retry-After", 1)
                .withDetail("Gave up after " + attempts + " attempts that met concurrent writers; nothing was written")
                .build();
    }

    /** 423: lock-service's wait for the Stock rows ran out; {@code blockedBy} as lock-service named them. */
    public static HttpProblem lockTimeout(Object blockedBy) {
        return HttpProblem.builder()
                .withType(ProblemTypes.LOCK_TIMEOUT)
                .withTitle("Lock wait timed out")
                .withStatus(423)
                .withDetail("Stock rows are locked by another posting; nothing was written")
                .with("blockedBy", blockedBy)
                .build();
    }

    /** 409: lock-service refused the request because it closed a wait cycle. */
    public static HttpProblem deadlock(Object cycle) {
        return HttpProblem.builder()
                .withType(ProblemTypes.DEADLOCK)
                .withTitle("Deadlock")
                .withStatus(409)
                .withDetail("The lock request closed a wait cycle; nothing was written")
                .with("cycle", cycle)
                .build();
    }

    /** 503: lock-service did not answer (or not as expected). */
    public static HttpProblem lockServiceUnavailable(Throwable failure) {
        return HttpProblem.builder()
                .withType(ProblemTypes.LOCK_SERVICE_UNAVAILABLE)
                .withTitle("lock-service unavailable")
                .withStatus(503)
                .withHeader("Retry-After", 1)
                .withDetail("Managed locks could not be taken ("
                        + failure.getClass().getSimpleName() + "); nothing was written")
                .build();
    }

    /** 409: post, repost or unpost of a document whose status does not allow it ({@code reason}). */
    public static HttpProblem documentIs(String number, String reason) {
        return HttpProblem.builder()
                .withType(ProblemTypes.CONFLICT)
                .withStatus(409)
                .withTitle("Conflict")
                .withDetail("Document " + number + " is " + reason)
                .build();
    }

    public static HttpProblem noDocument(String id) {
        return HttpProblem.builder()
                .withType(ProblemTypes.NOT_FOUND)
                .withStatus(404)
                .withTitle("Not found")
                .withDetail("No document " + id)
                .build();
    }

    public static HttpProblem noRun(String id) {
        return HttpProblem.builder()
                .withType(ProblemTypes.NOT_FOUND)
                .withStatus(404)
                .withTitle("Not found")
                .withDetail("No posting run " + id)
                .build();
    }

    /** 400: an Idempotency-Key header that is blank or longer than {@code maxLength}. */
    public static HttpProblem invalidIdempotencyKey(int maxLength) {
        return Violations.of("Invalid Idempotency-Key", "Idempotency-Key", "must be 1 to " + maxLength + " characters");
    }

    /** 409: the concurrent request with this Idempotency-Key did not commit: the client may simply retry. */
    public static HttpProblem idempotencyKeyInProgress() {
        return HttpProblem.builder()
                .withType(ProblemTypes.CONFLICT)
                .withStatus(409)
                .withTitle("Conflict")
                .withDetail("A request with this Idempotency-Key is in progress; retry")
                .build();
    }

    public static HttpProblem idempotencyKeyReused() {
        return HttpProblem.builder()
                .withType(ProblemTypes.CONFLICT)
                .withStatus(409)
                .withTitle("Idempotency-Key reused")
                .withDetail("This Idempotency-Key was used with another body")
                .build();
    }

    /**
     * A posting's SQL failure as its caller sees it: a READ ONLY transaction (25006) is the write guard's
     * refusal; a {@code CHECK} (23514) that caught what balance control should have, a 422 without
     * shortages (nothing written); anything else as it is.
     */
    public static Throwable ofSql(Throwable e, WriteGuard guard) {
        String state = Db.sqlState(e);
        if ("25006".equals(state)) {
            return guard.refusal();
        }
        if ("23514".equals(state)) {
            return HttpProblem.builder()
                    .withType(ProblemTypes.INSUFFICIENT_STOCK)
                    .withTitle("Insufficient stock")
                    .withStatus(422)
                    .withDetail("A stock balance would go below zero; nothing was written")
                    .with("shortages", List.of())
                    .build();
        }
        return e;
    }
}
