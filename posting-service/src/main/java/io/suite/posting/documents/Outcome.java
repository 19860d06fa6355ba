package io.suite.posting.documents;

/** What posting did to one document. */
public enum Outcome {
    /** a new or DRAFT document posted */
    POSTED,
    /** a POSTED document posted again: its movements replaced */
    REPOSTED,
    UNPOSTED,
    /** a new document saved as DRAFT */
    DRAFT,
    /** refused by balance control (posting runs; the API refuses the whole call with 422 instead) */
    REJECTED,
    /** nothing to do: not found, already posted, not posted (the reason says which) */
    SKIPPED;

    /** The {@code outcome} tag of {@code posting_documents_total} it counts under, or null when it is not counted. */
    public String metric() {
        return switch (this) {
            case POSTED, REPOSTED -> "posted";
            case UNPOSTED -> "unposted";
            case REJECTED -> "rejected";
            case DRAFT, SKIPPED -> null;
        };
    }
}
