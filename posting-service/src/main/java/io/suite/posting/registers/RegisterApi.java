package io.suite.posting.registers;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Bodies the register endpoints answer as maps, for the OpenAPI document only (the document is checked
 * against real answers in the tests).
 */
public final class RegisterApi {
    private RegisterApi() {}

    @Schema(name = "Balances")
    public record Balances(@Schema(required = true) List<RegisterResource.Balance> balances) {}

    @Schema(name = "Turnovers")
    public record Turnovers(@Schema(required = true) List<RegisterResource.Turnover> turnovers) {}

    @Schema(name = "Collapsed")
    public record Collapsed(@Schema(required = true) long collapsedRows) {}
}
