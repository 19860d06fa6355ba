package io.suite.posting.documents;

import io.suite.posting.model.DocumentData;

/** One document to post, unpost or save: the input of {@link PostingPlan#decide}. */
public record PostingJob(DocumentData doc, boolean isNew, Op op, boolean repost) {

    public enum Op {
        /** a new document saved as DRAFT */
        DRAFT,
        /** post: a new or DRAFT document; {@code repost} also re-posts a POSTED one */
        POST,
        UNPOST
    }
}
