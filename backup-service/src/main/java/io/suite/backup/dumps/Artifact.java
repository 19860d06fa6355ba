package io.suite.backup.dumps;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One dump file of a backup, as the API shows it; {@code file} is relative to {@code backup.directory}. */
public record Artifact(
        @Schema(required = true) String database,
        @Schema(required = true) String file,
        @Schema(required = true) long bytes,
        @Schema(required = true) String sha256) {}
