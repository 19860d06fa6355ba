package io.suite.posting.locking;

import java.util.List;

import io.smallrye.mutiny.Uni;
import io.suite.posting.PostingMetrics;

/**
 * The managed locks of one posting call: asked for once (every subscriber, e.g. a retried attempt,
 * gets the same grant), released once. Times the hold: grant answered → release called (writing),
 * then → lock-service answered the end (releasing).
 */
public final class LockHold {
    private static final LockHold NONE = new LockHold(null, null, null);

    private final ManagedLocks locks;
    private final PostingMetrics metrics;
    private final Uni<ManagedLocks.Held> acquire;
    private volatile ManagedLocks.Held held;
    private volatile long grantedAt;

    LockHold(ManagedLocks locks, PostingMetrics metrics, Uni<ManagedLocks.Held> acquire) {
        this.locks = locks;
        this.metrics = metrics;
        this.acquire = acquire == null
                ? null
                : acquire.invoke(h -> {
                            held = h;
                            grantedAt = System.nanoTime();
                        })
                        .memoize()
                        .indefinitely();
    }

    /** No managed locks (AUTOMATIC, the FOR UPDATE peers, nothing to lock): no token, nothing to release. */
    public static LockHold none() {
        return NONE;
    }

    /** The grant (asked for at the first subscription); fails with the lock-service problem. */
    public Uni<ManagedLocks.Held> acquire() {
        return acquire;
    }

    /** What lock-service escalated the grant's items to (none without managed locks). */
    public Uni<List<Escalation>> escalated() {
        return acquire == null ? Uni.createFrom().item(List.of()) : acquire.map(ManagedLocks.Held::escalated);
    }

    /** The grant's fencing token, or null without managed locks. */
    public Uni<Long> token() {
        return acquire == null ? Uni.createFrom().nullItem() : acquire.map(ManagedLocks.Held::fencingToken);
    }

    /** Ends the lock transaction if it was granted; a second call does nothing. */
    public Uni<Void> release() {
        ManagedLocks.Held h = held;
        held = null;
        if (h == null) {
            return Uni.createFrom().voidItem();
        }
        long written = System.nanoTime();
        metrics.heldWriting(written - grantedAt);
        return locks.release(h).invoke(() -> metrics.heldReleasing(System.nanoTime() - written));
    }
}
