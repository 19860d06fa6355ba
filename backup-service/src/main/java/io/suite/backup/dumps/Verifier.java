package io.suite.backup.dumps;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.suite.backup.BackupConfig;

import static io.suite.backup.dumps.Postgres.ident;

/**
 * Proves a backup restorable: the file is the one written (size, sha256), pg_restore takes it into a fresh
 * scratch database, the restored tables hold the rows the manifest counted at the dump, and the posting
 * invariant views are empty there. Throws {@link VerificationFailed} saying what was wrong.
 */
@ApplicationScoped
public class Verifier {
    private static final Logger LOG = Logger.getLogger(Verifier.class);

    private final BackupConfig config;
    private final Postgres postgres;
    private final PgTools tools;
    private final Fingerprints fingerprints;

    Verifier(BackupConfig config, Postgres postgres, PgTools tools, Fingerprints fingerprints) {
        this.config = config;
        this.postgres = postgres;
        this.tools = tools;
        this.fingerprints = fingerprints;
    }

    public void verify(Path directory, List<Artifact> artifacts, Manifest manifest) {
        if (artifacts.isEmpty()) {
            throw new VerificationFailed("the backup has no dumps");
        }
        for (Artifact artifact : artifacts) {
            Path file = directory.resolve(artifact.file());
            checkFile(artifact, file);
            Manifest.DatabaseDump dump = manifest.database(artifact.database());
            if (dump == null) {
                throw new VerificationFailed("the manifest does not list " + artifact.database());
            }
            String scratch = ("backup_verify_" + UUID.randomUUID().toString().replace("-", "")).substring(0, 40);
            postgres.execute(postgres.adminDatabase(), "create database " + ident(scratch));
            try {
                restore(artifact, file, scratch);
                Map<String, Long> restored = fingerprints.rowCounts(scratch);
                if (!restored.equals(dump.rowCounts())) {
                    throw new VerificationFailed(artifact.database() + ": restored row counts " + restored
                            + " differ from the manifest " + dump.rowCounts());
                }
                if (config.check().databases().contains(artifact.database())) {
                    checkInvariants(artifact.database(), scratch);
                }
            } finally {
                dropQuietly(scratch);
            }
        }
    }

    public static void checkFile(Artifact artifact, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new VerificationFailed(artifact.file() + " is missing");
        }
        String sha = Checksums.sha256(file);
        if (!sha.equals(artifact.sha256())) {
            throw new VerificationFailed(artifact.file() + ": sha256 " + sha + " is not the recorded "
                    + artifact.sha256() + " (the file changed after the dump)");
        }
    }

    private void restore(Artifact artifact, Path file, String scratch) {
        try {
            tools.restoreInto(scratch, file);
        } catch (PgTools.ToolFailed e) {
            throw new VerificationFailed(artifact.database() + " does not restore: " + e.getMessage());
        }
    }

    private void checkInvariants(String database, String scratch) {
        for (String view : config.check().views()) {
            long violations;
            try {
                violations = postgres.query(scratch, "select count(*) from " + ident(view), row -> row.getLong(0))
                        .get(0);
            } catch (RuntimeException e) {
                throw new VerificationFailed(
                        database + ": invariant view " + view + " cannot be read: " + e.getMessage());
            }
            if (violations != 0) {
                throw new VerificationFailed(
                        database + ": invariant view " + view + " lists " + violations + " violation(s)");
            }
        }
    }

    private void dropQuietly(String scratch) {
        try {
            postgres.execute(postgres.adminDatabase(), "drop database if exists " + ident(scratch) + " with (force)");
        } catch (RuntimeException e) {
            LOG.warnf(e, "could not drop scratch database %s", scratch);
        }
    }

    public static class VerificationFailed extends RuntimeException {
        public VerificationFailed(String message) {
            super(message);
        }
    }
}
