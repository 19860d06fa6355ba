package io.suite.posting.documents;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The body of POST /v1/documents, as sent; {@link DocumentRules} checks it. */
@JsonPropertyOrder(alphabetic = true)
public record DocumentRequest(String type, String number, String date, Boolean post, List<LineRequest> lines) {

    @JsonPropertyOrder(alphabetic = true)
    public record LineRequest(String item, String warehouse, String toWarehouse, BigDecimal quantity, BigDecimal amount) {
    }
}
