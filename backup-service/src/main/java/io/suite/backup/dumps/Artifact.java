package io.suite.backup.dumps;

/** One dump file of a backup, as the API shows it; {@code file} is relative to {@code backup.directory}. */
public record Artifact(String database, String file, long bytes, String sha256) {
}
