package io.suite.problems;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.quarkiverse.resteasy.problem.HttpProblem;

/**
 * The bad fields of one request, collected before anything is written, then answered at once as a
 * 400 {@code .../validation} problem with {@code "violations":[{"field","message"}]} (the shape
 * quarkus-resteasy-problem gives Bean Validation's violations, less its {@code in}).
 */
public final class Violations {
    private final Map<String, String> byField = new LinkedHashMap<>();

    /** Adds a violation; the first message for a field stays. */
    public Violations add(String field, String message) {
        byField.putIfAbsent(field, message);
        return this;
    }

    /** Adds {@code message} when it is not null (the checks of {@link Text} and {@link Dates} answer null for good). */
    public Violations addIf(String field, String message) {
        return message == null ? this : add(field, message);
    }

    public boolean isEmpty() {
        return byField.isEmpty();
    }

    public boolean has(String fieldPrefix) {
        return byField.keySet().stream().anyMatch(f -> f.startsWith(fieldPrefix));
    }

    /** Throws the 400 problem when there is any violation. */
    public void throwIfAny(String title) {
        if (!isEmpty()) {
            throw problem(title);
        }
    }

    public HttpProblem problem(String title) {
        List<Map<String, String>> list = new ArrayList<>();
        byField.forEach((field, message) -> list.add(Map.of("field", field, "message", message)));
        return HttpProblem.builder()
                .withType(ProblemTypes.VALIDATION)
                .withStatus(400)
                .withTitle(title)
                .withDetail(list.size() + " violation(s): nothing was written, " + summary())
                .with("violations", list)
                .build();
    }

    private String summary() {
        StringBuilder out = new StringBuilder();
        byField.forEach((field, message) -> out.append(out.length() == 0 ? "" : "; ")
                .append(field)
                .append(' ')
                .append(message));
        return out.toString();
    }

    /** A 400 naming one bad field. */
    public static HttpProblem of(String title, String field, String message) {
        return new Violations().add(field, message).problem(title);
    }
}
