package io.suite.posting;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.suite.posting.registers.RegisterResource;

/**
 * Bodies posting-service answers as maps, for its OpenAPI document only (the document is checked against
 * real answers in the tests).
 */
public final class PostingApi {
    private PostingApi() {
    }

    @Schema(name = "Balances")
    public record Balances(@Schema(required = true) List<RegisterResource.Balance> balances) {
    }

    @Schema(name = "Turnovers")
    public record Turnovers(@Schema(required = true) List<RegisterResource.Turnover> turnovers) {
    }

    @Schema(name = "Collapsed")
    public record Collapsed(@Schema(required = true) long collapsedRows) {
    }

    @Schema(name = "PostingRunStarted")
    public record RunStarted(@Schema(required = true) String id) {
    }

    @Schema(name = "PostingRun", description = "A posting run; finishedAt, owner and heartbeatAt are null while unknown")
    public record Run(@Schema(required = true) String id,
            @Schema(required = true, enumeration = {"RUNNING", "DONE", "ABANDONED"}) String status,
            @Schema(required = true) long posted, @Schema(required = true) long failed,
            @Schema(required = true) List<Failure> failures,
            @Schema(required = true, format = "date-time") String startedAt,
            @Schema(required = true, nullable = true, format = "date-time") String finishedAt,
            @Schema(required = true, nullable = true) String owner,
            @Schema(required = true, nullable = true, format = "date-time") String heartbeatAt) {
    }

    @Schema(name = "PostingRunFailure")
    public record Failure(String documentId, String number, String reason, List<Map<String, Object>> shortages) {
    }
}
