package io.suite.backup.dumps;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The records of {@code manifest.json}, which Dumper reads and writes with Jackson: a native executable keeps
 * their constructors and accessors only if they are registered (nothing else reaches them by reflection).
 */
@RegisterForReflection(
        targets = {
            Manifest.class,
            Manifest.Maintenance.class,
            Manifest.DatabaseDump.class,
            Fingerprint.class,
            Fingerprint.Table.class
        })
final class ManifestReflection {
    private ManifestReflection() {}
}
