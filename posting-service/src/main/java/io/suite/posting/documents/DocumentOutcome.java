package io.suite.posting.documents;

import java.util.List;

import io.suite.posting.model.DocumentData;
import io.suite.posting.model.Shortage;

/** A document as posting left it, with what was done; {@code shortages} when REJECTED, {@code reason} when SKIPPED. */
public record DocumentOutcome(DocumentData doc, Outcome outcome, List<Shortage> shortages, String reason) {}
