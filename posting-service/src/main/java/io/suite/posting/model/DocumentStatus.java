package io.suite.posting.model;

public enum DocumentStatus {
    DRAFT,
    POSTED
}
