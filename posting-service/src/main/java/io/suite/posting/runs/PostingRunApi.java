package io.suite.posting.runs;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Bodies the posting-run endpoints answer as maps, for the OpenAPI document only (the document is checked
 * against real answers in the tests).
 */
public final class PostingRunApi {
    private PostingRunApi() {
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
