package io.suite.backup.maintenance;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What maintenance-service says about the system (GET /v1/maintenance); only the fields a backup needs. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MaintenanceState(String mode, String phase, Long epoch, String reason, String since, String expiresAt,
                               String requestedBy, String heldBy) {

    public boolean readOnly() {
        return "READ_ONLY".equals(mode);
    }

    public boolean drained() {
        return readOnly() && "DRAINED".equals(phase);
    }

    public String describe() {
        return mode + "/" + phase + " epoch " + epoch;
    }
}
