package io.suite.posting.documents;

public enum DocumentStatus {
    DRAFT, POSTED
}
