package io.suite.backup.maintenance;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What maintenance-service says about the system (GET /v1/maintenance); only the fields a backup needs.
 * {@code fenced}: the write paths whose database role maintenance-service fenced (absent from older
 * maintenance-services: read as none).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record MaintenanceState(
        String mode,
        String phase,
        Long epoch,
        String reason,
        String since,
        String expiresAt,
        String requestedBy,
        String heldBy,
        List<String> fenced) {

    public MaintenanceState {
        fenced = fenced == null ? List.of() : List.copyOf(fenced);
    }

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
