package io.suite.locks;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The bodies lock-service answers, for its OpenAPI document only: {@link LockResource} builds them as maps
 * and JSON nodes, so their shape is written down here (the document is checked against real answers).
 */
final class LockApi {
    private LockApi() {}

    @Schema(name = "Begun", description = "A new lock transaction; with items, also what the lock call answers")
    record Begun(
            @Schema(required = true) String id,

            @Schema(required = true, description = "Carry it as X-Lock-Token on every later call")
            String token,

            @Schema(required = true) long leaseMs,
            @Schema(required = true, format = "date-time") String expiresAt,

            @Schema(description = "Only when items were given")
            Long fencingToken,

            @Schema(description = "Only when items were given")
            Long waitedMs,

            @Schema(description = "Only when items were given: what escalated requests became")
            List<Escalated> escalated) {}

    @Schema(
            name = "Escalated",
            description = "An escalated space and the one lock its items there became"
                    + " (fields: the narrowest cover; {} = the whole space)")
    record Escalated(
            @Schema(required = true) String space,
            @Schema(required = true) Map<String, Object> fields) {}

    @Schema(name = "LockIncidents", description = "Lock incidents, oldest first")
    record Incidents(@Schema(required = true) List<Incident> incidents) {}

    @Schema(
            name = "LockIncident",
            description = "A long wait, a timeout, a deadlock, an escalation or an expired lease")
    record Incident(
            @Schema(required = true) IncidentKind kind,
            @Schema(required = true, format = "date-time") String at,
            @Schema(required = true) String space,
            @Schema(required = true) String transaction,

            @Schema(
                    required = true,
                    description = "Who began the transaction: the user or service account of its access token")
            String principal,

            @Schema(required = true, description = "The caller's free text")
            String owner,

            @Schema(required = true, description = "The caller's free text")
            String label,

            @Schema(required = true, description = "The request's (first) item there; for ESCALATION the cover")
            Map<String, Object> fields,

            @Schema(required = true) long waitedMs,

            @Schema(
                    required = true,
                    description = "TIMEOUT: who held it up (with space, mode, fields); WAIT: everyone it waited for")
            List<IncidentBlocker> blockedBy,

            @Schema(required = true, description = "DEADLOCK: the cycle of transaction ids")
            List<String> cycle,

            @Schema(required = true, description = "ESCALATION: what the request became")
            List<Escalated> escalated) {}

    @Schema(name = "IncidentBlocker", description = "A transaction that held the request up")
    record IncidentBlocker(
            @Schema(required = true) String transaction,

            @Schema(required = true, description = "Who began it: the user or service account of its access token")
            String principal,

            @Schema(required = true) String owner,
            @Schema(required = true) String label,
            String space,
            LockMode mode,
            Map<String, Object> fields) {}

    @Schema(name = "IncidentKind")
    enum IncidentKind {
        WAIT,
        TIMEOUT,
        DEADLOCK,
        ESCALATION,
        EXPIRY
    }

    @Schema(name = "Granted", description = "Every item of the request is held")
    record Granted(
            @Schema(required = true, description = "Only grows")
            long fencingToken,

            @Schema(required = true) long waitedMs,

            @Schema(required = true, description = "What escalated requests became")
            List<Escalated> escalated) {}

    @Schema(name = "Renewed")
    record Renewed(
            @Schema(required = true, format = "date-time") String expiresAt) {}

    @Schema(name = "LockTransaction", description = "Its locks, its waiting request (null when none) and its lease")
    record Transaction(
            @Schema(required = true) String id,

            @Schema(
                    required = true,
                    description = "Who began it: the user or service account of its access token (never from the body)")
            String principal,

            @Schema(required = true, description = "The caller's free text")
            String owner,

            @Schema(required = true, description = "The caller's free text")
            String label,

            @Schema(required = true) long leaseMs,
            @Schema(required = true, format = "date-time") String expiresAt,
            @Schema(required = true) List<HeldLock> locks,
            @Schema(required = true, nullable = true) Waiting waiting) {}

    @Schema(name = "HeldLock")
    record HeldLock(
            @Schema(required = true) String space,
            @Schema(required = true) LockMode mode,
            @Schema(required = true) Map<String, Object> fields,
            @Schema(required = true, format = "date-time") String since,
            @Schema(required = true) long ageMs,
            @Schema(required = true) long fencingToken) {}

    @Schema(name = "Waiting", description = "The lock request this transaction waits on")
    record Waiting(
            @Schema(required = true, format = "date-time") String since,
            @Schema(required = true) long ageMs,

            @Schema(required = true, description = "Lock transaction ids in the way")
            List<String> blockedBy,

            @Schema(required = true) List<WaitItem> items) {}

    @Schema(name = "WaitItem")
    record WaitItem(
            @Schema(required = true) String space,
            @Schema(required = true) LockMode mode,
            @Schema(required = true) Map<String, Object> fields) {}

    @Schema(name = "LockSnapshot", description = "What is locked now and who waits for whom")
    record Snapshot(
            @Schema(required = true) List<SnapshotLock> locks,
            @Schema(required = true) List<SnapshotWait> waits) {}

    @Schema(name = "SnapshotLock")
    record SnapshotLock(
            @Schema(required = true) String transaction,

            @Schema(
                    required = true,
                    description = "Who began it: the user or service account of its access token (never from the body)")
            String principal,

            @Schema(required = true) String owner,
            @Schema(required = true) String label,
            @Schema(required = true) String space,
            @Schema(required = true) LockMode mode,
            @Schema(required = true) Map<String, Object> fields,
            @Schema(required = true, format = "date-time") String since,
            @Schema(required = true) long ageMs,
            @Schema(required = true) long fencingToken) {}

    @Schema(name = "SnapshotWait")
    record SnapshotWait(
            @Schema(required = true) String transaction,

            @Schema(
                    required = true,
                    description = "Who began it: the user or service account of its access token (never from the body)")
            String principal,

            @Schema(required = true) String owner,
            @Schema(required = true) String label,
            @Schema(required = true) String space,
            @Schema(required = true) LockMode mode,
            @Schema(required = true) Map<String, Object> fields,
            @Schema(required = true, format = "date-time") String since,
            @Schema(required = true) long ageMs,
            @Schema(required = true) List<String> blockedBy) {}

    @Schema(name = "LockMode")
    enum LockMode {
        SHARED,
        EXCLUSIVE
    }
}
