package io.suite.backup.backups;

public enum BackupStatus {
    WAITING_FOR_DRAIN,
    RUNNING,
    VERIFYING,
    SUCCEEDED,
    FAILED;

    public boolean active() {
        return this == WAITING_FOR_DRAIN || this == RUNNING || this == VERIFYING;
    }
}
