package io.suite.writeguard;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted write, counted in flight until {@link #close()}. Handed to the work given to
 * {@link WriteGuard#write(java.util.function.Function)}, or taken with {@link WriteGuard#admit()}
 * by blocking code (try-with-resources). Call {@link #check()} as the last step before COMMIT:
 * it throws once the drain timeout has aborted this write, so the transaction rolls back. An
 * aborted write still counts in flight until it ends (its work may still run in the database),
 * or until the path applies an epoch later than the one that aborted it.
 */
public final class WritePermit implements AutoCloseable {
    private final WriteGuard guard;
    private final long epoch;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile ReadOnlyException abortedBy;
    private volatile Runnable onAbort;

    WritePermit(WriteGuard guard, long epoch) {
        this.guard = guard;
        this.epoch = epoch;
    }

    /** The epoch (READ_WRITE) this write was admitted in. */
    public long epoch() {
        return epoch;
    }

    public boolean aborted() {
        return abortedBy != null;
    }

    /** The drain-timeout refusal that aborted this write (its epoch is the READ_ONLY epoch), or null. */
    ReadOnlyException abortedBy() {
        return abortedBy;
    }

    /** Throws the drain-timeout ReadOnlyException if this write has been aborted. */
    public void check() {
        ReadOnlyException e = abortedBy;
        if (e != null) {
            throw e;
        }
    }

    /** Ends the write (its work is over): it no longer counts in flight. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            guard.release(this);
        }
    }

    void onAbort(Runnable action) {
        this.onAbort = action;
        if (abortedBy != null) {
            action.run();
        }
    }

    void abort(ReadOnlyException e) {
        if (abortedBy == null && !closed.get()) {
            abortedBy = e;
            Runnable action = onAbort;
            if (action != null) {
                action.run();
            }
        }
    }
}
