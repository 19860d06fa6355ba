package io.suite.writeguard;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A heartbeat on {@code write-path-status} (key = instance): this write path's view of the
 * maintenance state. {@code drained} is true for {@code epoch} when that epoch is READ_ONLY and
 * nothing is in flight. {@code mode} is UNKNOWN (epoch -1) until the state has been read.
 * {@code stateMaxAgeMs} is this path's READ_WRITE lease ({@code write-guard.state-max-age});
 * {@code aborted} counts writes aborted at the drain timeout whose work has not ended (they are in
 * {@code inFlight} too). {@code writesOnlyInDatabase}: the database fence alone stops every write of
 * this path ({@code write-guard.writes-only-in-database}). A path that stops cleanly sends a tombstone
 * (value null) under its key.
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
public record WritePathStatus(
        String instance,
        String service,
        long epoch,
        String mode,
        long inFlight,
        boolean drained,
        Instant at,
        long stateMaxAgeMs,
        long aborted,
        boolean writesOnlyInDatabase) {}
