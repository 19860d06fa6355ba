package io.suite.posting.runs;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * How a posting run cuts a partition into batches (one transaction, one lock request each), in order:
 * at most {@code maxDocuments} documents of one lock plan, whose Stock rows together stay within
 * {@code maxRows} (lock-service's escalation threshold), so a batch never escalates; only a document
 * whose rows alone are more goes over it, alone in its batch.
 */
public final class RunBatches {
    private RunBatches() {}

    public static <D, R> List<List<D>> of(
            List<D> documents, int maxDocuments, int maxRows, Function<D, Set<R>> rows, Function<D, Object> plan) {
        List<List<D>> batches = new ArrayList<>();
        List<D> batch = new ArrayList<>();
        Set<R> locked = new HashSet<>();
        Object batchPlan = null;
        for (D d : documents) {
            Set<R> mine = rows.apply(d);
            long added = mine.stream().filter(r -> !locked.contains(r)).count();
            boolean fits = batch.size() < maxDocuments
                    && Objects.equals(plan.apply(d), batchPlan)
                    && locked.size() + added <= maxRows;
            if (!batch.isEmpty() && !fits) {
                batches.add(batch);
                batch = new ArrayList<>();
                locked.clear();
            }
            batchPlan = plan.apply(d);
            batch.add(d);
            locked.addAll(mine);
        }
        if (!batch.isEmpty()) {
            batches.add(batch);
        }
        return batches;
    }
}
