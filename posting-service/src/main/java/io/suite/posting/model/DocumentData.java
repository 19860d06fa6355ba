package io.suite.posting.model;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A document as the API shows it and the posting engine reads it. Lines never change once created. {@code
 * createdBy}: the principal of the token that created it (null for documents older than that record).
 */
public record DocumentData(
        UUID id,
        DocumentType type,
        String number,
        LocalDate date,
        DocumentStatus status,
        List<Line> lines,

        @Schema(nullable = true, description = "Who created it: the principal of the creator's token")
        String createdBy) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Line(
            int lineNo, String item, String warehouse, String toWarehouse, BigDecimal quantity, BigDecimal amount) {}

    public DocumentData withStatus(DocumentStatus next) {
        return new DocumentData(id, type, number, date, next, lines, createdBy);
    }

    /** This document as created by {@code principal} (who the caller's token names, never the body). */
    public DocumentData withCreator(String principal) {
        return new DocumentData(id, type, number, date, status, lines, principal);
    }

    /** The posting-run partition: the (source) warehouse of the first line. */
    public String partition() {
        return lines.get(0).warehouse();
    }

    public String label() {
        return type + " " + number;
    }
}
