package io.suite.maintenance;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Request bodies of the maintenance API (all fields optional unless marked). {@code requestedBy} is still
 * accepted (older clients send it) but ignored: who asks is the token's principal (DESIGN.md "Security").
 */
public final class Requests {
    static final long MAX_DURATION_MS = 7L * 24 * 3600 * 1000;
    static final long MAX_DRAIN_TIMEOUT_MS = 3600_000;
    static final String HOLDER = "[a-z][a-z0-9-]*:[^\\s]{1,100}";
    static final String IGNORED = "Ignored: who asks is the bearer token's principal";

    private Requests() {}

    /** POST /v1/maintenance/read-only. */
    public record ReadOnly(
            @Size(max = 500) String reason,
            @Min(1000) @Max(MAX_DURATION_MS) Long durationMs,
            @Min(0) @Max(MAX_DRAIN_TIMEOUT_MS) Long drainTimeoutMs,

            @Schema(deprecated = true, description = IGNORED) @Size(max = 200)
            String requestedBy,

            @Pattern(regexp = HOLDER, message = "must look like backup:<id>")
            String heldBy) {}

    /** POST /v1/maintenance/read-only/renew. */
    public record Renew(
            @Min(1000) @Max(MAX_DURATION_MS) Long durationMs,
            @Min(0) Long epoch,

            @Pattern(regexp = HOLDER, message = "must look like backup:<id>")
            String heldBy,

            @Schema(deprecated = true, description = IGNORED) @Size(max = 200)
            String requestedBy) {}

    /** POST /v1/maintenance/read-only/release. */
    public record Release(
            @NotBlank @Pattern(regexp = HOLDER, message = "must look like backup:<id>")
            String heldBy,

            @Schema(deprecated = true, description = IGNORED) @Size(max = 200)
            String requestedBy) {}

    /** POST /v1/maintenance/read-write. */
    public record ReadWrite(
            @Size(max = 500) String reason,
            Boolean force,

            @Pattern(regexp = HOLDER, message = "must look like backup:<id>")
            String heldBy,

            @Schema(deprecated = true, description = IGNORED) @Size(max = 200)
            String requestedBy) {}
}
