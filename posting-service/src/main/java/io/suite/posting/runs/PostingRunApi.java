package io.suite.posting.runs;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Bodies the posting-run endpoints answer as maps, for the OpenAPI document only (the document is checked
 * against real answers in the tests).
 */
public final class PostingRunApi {
    private PostingRunApi() {}

    @Schema(name = "PostingRunStarted")
    public record RunStarted(@Schema(required = true) String id) {}

    @Schema(
            name = "PostingRun",
            description = "A posting run; finishedAt, owner, heartbeatAt and startedBy are null while unknown")
    public record Run(
            @Schema(required = true) String id,

            @Schema(
                    required = true,
                    enumeration = {"RUNNING", "DONE", "ABANDONED"})
            String status,

            @Schema(required = true) long posted,
            @Schema(required = true) long failed,
            @Schema(required = true) List<Failure> failures,

            @Schema(
                    required = true,
                    description =
                            "Lock requests of this run that lock-service escalated (0 when every"
                                    + " batch stayed within posting.lock-escalation-threshold rows and no document alone needed more)")
            long escalations,

            @Schema(required = true, description = "The distinct covers those requests became")
            List<Escalated> escalated,

            @Schema(required = true, format = "date-time") String startedAt,

            @Schema(required = true, nullable = true, format = "date-time")
            String finishedAt,

            @Schema(required = true, nullable = true) String owner,

            @Schema(required = true, nullable = true, format = "date-time")
            String heartbeatAt,

            @Schema(
                    required = true,
                    nullable = true,
                    description = "Who started it: the principal of the caller's token")
            String startedBy) {}

    @Schema(
            name = "PostingRunEscalation",
            description = "What lock-service made of a request: fields kept (e.g."
                    + " {\"warehouse\":\"W1\"}), empty for the whole space")
    public record Escalated(
            @Schema(required = true) String space,
            @Schema(required = true) Map<String, Object> fields) {}

    @Schema(name = "PostingRunFailure")
    public record Failure(String documentId, String number, String reason, List<Map<String, Object>> shortages) {}
}
