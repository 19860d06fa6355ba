package io.suite.posting.documents;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.posting.model.DocumentData;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DocumentRulesTest {
    private static final LocalDate TODAY = LocalDate.of(2026, 11, 22);

    private static DocumentRequest.LineRequest line(String to, String qty) {
        return new DocumentRequest.LineRequest("A", "W1", to, qty == null ? null : new BigDecimal(qty), null);
    }

    private static List<?> violations(DocumentRequest r) {
        HttpProblem p = assertThrows(HttpProblem.class, () -> DocumentRules.validate(r, 3, TODAY));
        assertEquals(400, p.getStatusCode());
        return (List<?>) p.getParameters().get("violations");
    }

    private static boolean names(List<?> violations, String field) {
        return violations.stream().anyMatch(v -> field.equals(((Map<?, ?>) v).get("field")));
    }

    @Test
    void defaultsDateToTodayAndGeneratesANumber() {
        DocumentData d = DocumentRules.validate(
                new DocumentRequest("RECEIPT", null, null, null, List.of(line(null, "5"))), 3, TODAY);
        assertEquals(TODAY, d.date());
        assertTrue(d.number().startsWith("R-"));
        assertEquals(new BigDecimal("5.000"), d.lines().get(0).quantity());
        assertEquals(new BigDecimal("0.00"), d.lines().get(0).amount());
    }

    @Test
    void refusesUnknownTypesBadDatesAndLongNumbers() {
        List<?> v = violations(
                new DocumentRequest("INVOICE", "x".repeat(41), "22.11.2026", true, List.of(line(null, "1"))));
        assertTrue(names(v, "type") && names(v, "number") && names(v, "date"), v.toString());
    }

    @Test
    void quantitiesArePositiveWithAtMostThreeDecimals() {
        assertTrue(names(
                violations(new DocumentRequest("RECEIPT", null, null, null, List.of(line(null, "0")))),
                "lines[0].quantity"));
        assertTrue(names(
                violations(new DocumentRequest("RECEIPT", null, null, null, List.of(line(null, "-1")))),
                "lines[0].quantity"));
        assertTrue(names(
                violations(new DocumentRequest("RECEIPT", null, null, null, List.of(line(null, "1.0001")))),
                "lines[0].quantity"));
        assertEquals(
                new BigDecimal("1.500"),
                DocumentRules.validate(
                                new DocumentRequest("RECEIPT", null, null, null, List.of(line(null, "1.5000"))),
                                3,
                                TODAY)
                        .lines()
                        .get(0)
                        .quantity());
    }

    @Test
    void toWarehouseOnlyAndAlwaysOnTransferAndNotTheSameWarehouse() {
        assertTrue(names(
                violations(new DocumentRequest("SHIPMENT", null, null, null, List.of(line("W2", "1")))),
                "lines[0].toWarehouse"));
        assertTrue(names(
                violations(new DocumentRequest("TRANSFER", null, null, null, List.of(line(null, "1")))),
                "lines[0].toWarehouse"));
        assertTrue(names(
                violations(new DocumentRequest("TRANSFER", null, null, null, List.of(line("W1", "1")))),
                "lines[0].toWarehouse"));
        assertEquals(
                "W2",
                DocumentRules.validate(
                                new DocumentRequest("TRANSFER", null, null, null, List.of(line("W2", "1"))), 3, TODAY)
                        .lines()
                        .get(0)
                        .toWarehouse());
    }

    @Test
    void linesAreRequiredAndLimited() {
        assertTrue(names(violations(new DocumentRequest("RECEIPT", null, null, null, List.of())), "lines"));
        assertTrue(names(
                violations(new DocumentRequest("RECEIPT", null, null, null, Collections.nCopies(4, line(null, "1")))),
                "lines"));
    }
}
