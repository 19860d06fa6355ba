package io.suite.problems;

import java.net.URI;

/**
 * The {@code type} URIs of the suite's problem+json answers (DESIGN.md): clients match on them, so
 * they are named once, here. A type is {@link #BASE} plus a stable name.
 */
public final class ProblemTypes {
    public static final String BASE = "https://suite.dev/problems/";

    // bad input, any service
    public static final URI VALIDATION = of("validation");
    public static final URI PAYLOAD_TOO_LARGE = of("payload-too-large");
    public static final URI URI_TOO_LONG = of("uri-too-long");
    public static final URI HEADERS_TOO_LARGE = of("headers-too-large");
    public static final URI UNSUPPORTED_MEDIA_TYPE = of("unsupported-media-type");
    public static final URI NOT_ACCEPTABLE = of("not-acceptable");
    public static final URI METHOD_NOT_ALLOWED = of("method-not-allowed");
    public static final URI NOT_FOUND = of("not-found");
    public static final URI CONFLICT = of("conflict");
    public static final URI UNAUTHORIZED = of("unauthorized");
    public static final URI FORBIDDEN = of("forbidden");
    /** A 4xx or 5xx with no more specific type (e.g. an error Quarkus raised itself). */
    public static final URI BAD_REQUEST = of("bad-request");

    public static final URI INTERNAL = of("internal");
    public static final URI UNAVAILABLE = of("unavailable");

    // write paths (write-guard)
    public static final URI READ_ONLY = of("read-only");

    // lock-service
    public static final URI LOCK_TIMEOUT = of("lock-timeout");
    public static final URI DEADLOCK = of("deadlock");
    public static final URI NO_SUCH_TRANSACTION = of("no-such-transaction");

    // posting-service
    public static final URI INSUFFICIENT_STOCK = of("insufficient-stock");
    public static final URI SERIALIZATION_FAILURE = of("serialization-failure");
    public static final URI LOCK_LOST = of("lock-lost");
    public static final URI LOCK_SERVICE_UNAVAILABLE = of("lock-service-unavailable");
    /** The connection to PostgreSQL died under a write: it may or may not have committed (retry with the same key). */
    public static final URI OUTCOME_UNKNOWN = of("outcome-unknown");
    /** PostgreSQL could not be reached before anything was sent. */
    public static final URI DATABASE_UNAVAILABLE = of("database-unavailable");

    // maintenance-service
    public static final URI BACKUP_IN_PROGRESS = of("backup-in-progress");
    public static final URI NOT_READ_ONLY = of("not-read-only");

    // backup-service
    public static final URI BACKUP_RUNNING = of("backup-running");
    public static final URI NOT_DRAINED = of("not-drained");
    public static final URI NOT_VERIFIED = of("not-verified");
    public static final URI READ_WRITE = of("read-write");
    public static final URI MAINTENANCE_UNAVAILABLE = of("maintenance-unavailable");

    private ProblemTypes() {}

    public static URI of(String name) {
        return URI.create(BASE + name);
    }

    /** The stable name of a suite type ("read-only"), or null for any other type. */
    public static String name(URI type) {
        String s = type == null ? "" : type.toString();
        return s.startsWith(BASE) ? s.substring(BASE.length()) : null;
    }

    /** Whether {@code type} is one of the suite's types (clients and tests check every 4xx for it). */
    public static boolean isSuite(URI type) {
        return name(type) != null;
    }

    /** The suite type for a status that came without one (a 4xx or 5xx Quarkus raised itself). */
    public static URI forStatus(int status) {
        return switch (status) {
            case 400 -> VALIDATION;
            case 401 -> UNAUTHORIZED;
            case 403 -> FORBIDDEN;
            case 404 -> NOT_FOUND;
            case 405 -> METHOD_NOT_ALLOWED;
            case 406 -> NOT_ACCEPTABLE;
            case 409 -> CONFLICT;
            case 413 -> PAYLOAD_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 431 -> HEADERS_TOO_LARGE;
            case 415 -> UNSUPPORTED_MEDIA_TYPE;
            case 503 -> UNAVAILABLE;
            default -> status >= 500 ? INTERNAL : BAD_REQUEST;
        };
    }
}
