package io.suite.locks;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * GET /v1/locks/stream. Events: {@code snapshot} (data = the GET /v1/locks JSON) at connect, within
 * a few hundred ms of every change (a version counter in Redis) and at least every
 * {@code lock.stream-refresh}; {@code incident} (data = an incident as GET /v1/lock-incidents lists it: {kind, at, space, transaction,
 * owner, label, fields, waitedMs, blockedBy, cycle, escalated}) for the recent history at connect (oldest first) and then live, from every
 * replica (pub/sub).
 */
@ApplicationScoped
public class LockStream {
    private static final long POLL_MS = 250;
    private final LockService locks;
    private final Incidents incidents;
    private final LockScript script;
    private final LockConfig config;

    LockStream(LockService locks, Incidents incidents, LockScript script, LockConfig config) {
        this.locks = locks;
        this.incidents = incidents;
        this.script = script;
        this.config = config;
    }

    Multi<OutboundSseEvent> events(Sse sse, String space) {
        Multi<OutboundSseEvent> history = incidents
                .recent(50)
                .onItem()
                .transformToMulti(items -> Multi.createFrom().iterable(items))
                .filter(i -> matches(i, space))
                .map(i -> event(sse, "incident", i));

        Multi<OutboundSseEvent> live = Multi.createFrom().emitter(em -> {
            Consumer<String> listener = i -> {
                if (matches(i, space)) {
                    em.emit(event(sse, "incident", i));
                }
            };
            incidents.listen(listener);
            em.onTermination(() -> incidents.unlisten(listener));
        });

        AtomicLong lastVersion = new AtomicLong(-1);
        AtomicLong lastSent = new AtomicLong();
        long refresh = config.streamRefresh().toMillis();
        Multi<OutboundSseEvent> snapshots = Multi.createFrom()
                .ticks()
                .every(Duration.ofMillis(POLL_MS))
                .onOverflow()
                .drop()
                .onItem()
                .transformToUniAndConcatenate(tick -> script.version()
                        .onItem()
                        .transformToUni(version -> {
                            long now = System.currentTimeMillis();
                            if (version == lastVersion.get() && now - lastSent.get() < refresh) {
                                return Uni.createFrom().nullItem();
                            }
                            lastVersion.set(version);
                            lastSent.set(now);
                            return locks.snapshot(space)
                                    .map(s -> event(
                                            sse,
                                            "snapshot",
                                            LockViews.snapshot(s).toString()));
                        })
                        .onFailure()
                        .recoverWithNull());

        Multi<OutboundSseEvent> first = locks.snapshot(space)
                .map(s -> event(sse, "snapshot", LockViews.snapshot(s).toString()))
                .toMulti();
        return Multi.createBy()
                .concatenating()
                .streams(first, history)
                .onCompletion()
                .switchTo(() -> Multi.createBy().merging().streams(live, snapshots));
    }

    private static boolean matches(String incident, String space) {
        return space == null
                || space.isEmpty()
                || incident.contains(
                        "\"space\":" + ItemParser.JSON.getNodeFactory().textNode(space));
    }

    private static OutboundSseEvent event(Sse sse, String name, String json) {
        return sse.newEventBuilder()
                .name(name)
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(String.class, json)
                .build();
    }
}
