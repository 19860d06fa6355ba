package io.suite.posting;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Database calls sent again on a fresh connection when their failure proves that nothing of them was committed.
 * The pool may hand out a session that has already ended: maintenance-service's fence ends every session of this
 * service's role (pg_terminate_backend), and a replica that was stalled meanwhile hears of it only when it uses
 * one. Such a failure is not the caller's outcome: the call goes again, a bounded few times (the pool drops each
 * ended session it hears of), and only what may have committed is answered {@code outcome-unknown}.
 */
public final class FreshConnection {
    /** Sends of one call in all. */
    static final int ATTEMPTS = 3;
    /** Before sending again: the event loop first hears of the other ended sessions, so the pool drops them. */
    private static final Duration PAUSE = Duration.ofMillis(20);

    private FreshConnection() {}

    /** A read: whatever ended its connection, it wrote nothing. */
    public static <T> Uni<T> read(Supplier<Uni<T>> call) {
        return again(call, DatabaseOutage::connectionLost, Vertx.currentContext(), 1);
    }

    /** One statement that is its own transaction: again only when its session had ended before it ran. */
    public static <T> Uni<T> statement(Supplier<Uni<T>> call) {
        return again(call, DatabaseOutage::endedBeforeItRan, Vertx.currentContext(), 1);
    }

    /**
     * {@code work} in a transaction ({@link Panache#withTransaction}): again when the connection was lost before
     * its COMMIT went out (PostgreSQL rolled it back), or its session had ended before it began.
     */
    public static <T> Uni<T> transaction(Supplier<Uni<T>> work) {
        Supplier<Uni<T>> call =
                () -> Panache.withTransaction(() -> work.get().onFailure().transform(BeforeCommit::new));
        Predicate<Throwable> nothingCommitted = e -> e instanceof BeforeCommit
                ? DatabaseOutage.connectionLost(e.getCause())
                : DatabaseOutage.endedBeforeItRan(e);
        return again(call, nothingCommitted, Vertx.currentContext(), 1)
                .onFailure(BeforeCommit.class)
                .transform(Throwable::getCause);
    }

    private static <T> Uni<T> again(
            Supplier<Uni<T>> call, Predicate<Throwable> nothingCommitted, Context context, int attempt) {
        return Uni.createFrom()
                .deferred(call::get)
                .onFailure(e -> attempt < ATTEMPTS && nothingCommitted.test(e))
                .recoverWithUni(() -> Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(PAUSE)
                        .emitOn(cmd -> {
                            if (context == null) {
                                cmd.run();
                            } else {
                                context.runOnContext(v -> cmd.run()); // Hibernate Reactive's session lives there
                            }
                        })
                        .chain(() -> again(call, nothingCommitted, context, attempt + 1)));
    }

    /** A failure of a transaction's work, before its COMMIT was sent; unwrapped for the caller. */
    private static final class BeforeCommit extends RuntimeException {
        BeforeCommit(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
