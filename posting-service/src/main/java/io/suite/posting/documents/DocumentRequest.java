package io.suite.posting.documents;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** The body of POST /v1/documents, as sent; {@link DocumentRules} checks it. */
@JsonPropertyOrder(alphabetic = true)
public record DocumentRequest(
        @Schema(enumeration = {"RECEIPT", "SHIPMENT", "TRANSFER"})
        String type,

        @Schema(maxLength = DocumentRules.MAX_NUMBER_LENGTH) String number,

        @Schema(format = "date", description = "yyyy-MM-dd, years 1 to 9999; default today")
        String date,

        Boolean post,
        @Schema(minItems = 1) List<LineRequest> lines) {

    @JsonPropertyOrder(alphabetic = true)
    public record LineRequest(
            @Schema(minLength = 1, maxLength = DocumentRules.MAX_NAME_LENGTH)
            String item,

            @Schema(minLength = 1, maxLength = DocumentRules.MAX_NAME_LENGTH)
            String warehouse,

            @Schema(minLength = 1, maxLength = DocumentRules.MAX_NAME_LENGTH)
            String toWarehouse,

            @Schema(minimum = "0.001", maximum = "999999999999.999", description = "at most 3 decimals")
            BigDecimal quantity,

            @Schema(minimum = "0", maximum = "999999999999.99", description = "at most 2 decimals")
            BigDecimal amount) {}
}
