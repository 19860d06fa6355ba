package io.suite.posting.registers;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.model.DocumentType;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The movements of each document type, as a table: a document's lines in, its register movements out. */
class MovementsTest {
    private static final LocalDate DAY = LocalDate.of(2026, 3, 1);

    static Stream<Arguments> cases() {
        return Stream.of(
                row(
                        "a receipt adds to Stock, no Sales",
                        doc(DocumentType.RECEIPT, line(0, "A", "W1", null, "5", "0")),
                        List.of(stock(0, "A", "W1", "5")),
                        List.of(),
                        Map.of(key("A", "W1"), "5")),
                row(
                        "a shipment takes from Stock and adds to Sales, line by line",
                        doc(
                                DocumentType.SHIPMENT,
                                line(0, "A", "W1", null, "3", "30.00"),
                                line(1, "B", "W1", null, "1", "10.50")),
                        List.of(stock(0, "A", "W1", "-3"), stock(1, "B", "W1", "-1")),
                        List.of(sales(0, "A", "W1", "3", "30.00"), sales(1, "B", "W1", "1", "10.50")),
                        Map.of(key("A", "W1"), "-3", key("B", "W1"), "-1")),
                row(
                        "a transfer takes at warehouse and adds at toWarehouse, no Sales",
                        doc(DocumentType.TRANSFER, line(0, "A", "W1", "W2", "4", "0")),
                        List.of(stock(0, "A", "W1", "-4"), stock(0, "A", "W2", "4")),
                        List.of(),
                        Map.of(key("A", "W1"), "-4", key("A", "W2"), "4")),
                row(
                        "two lines on one row: two movements, one net change",
                        doc(
                                DocumentType.SHIPMENT,
                                line(0, "A", "W1", null, "2", "2"),
                                line(1, "A", "W1", null, "1.5", "1")),
                        List.of(stock(0, "A", "W1", "-2"), stock(1, "A", "W1", "-1.5")),
                        List.of(sales(0, "A", "W1", "2", "2"), sales(1, "A", "W1", "1.5", "1")),
                        Map.of(key("A", "W1"), "-3.5")),
                row(
                        "a transfer there and a transfer back in one document net to zero",
                        doc(
                                DocumentType.TRANSFER,
                                line(0, "A", "W1", "W2", "1", "0"),
                                line(1, "A", "W2", "W1", "1", "0")),
                        List.of(
                                stock(0, "A", "W1", "-1"),
                                stock(0, "A", "W2", "1"),
                                stock(1, "A", "W2", "-1"),
                                stock(1, "A", "W1", "1")),
                        List.of(),
                        Map.of(key("A", "W1"), "0", key("A", "W2"), "0")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void movementsOfADocument(
            String name,
            DocumentData doc,
            List<Movements.Stock> stock,
            List<Movements.Sales> sales,
            Map<StockKey, BigDecimal> net) {
        assertEquals(stock, Movements.stock(doc));
        assertEquals(sales, Movements.sales(doc));
        Map<StockKey, BigDecimal> actual = Movements.net(Movements.stock(doc));
        assertEquals(net.keySet(), actual.keySet());
        net.forEach((k, q) -> assertEquals(0, q.compareTo(actual.get(k)), k + ": " + actual.get(k)));
        // the rows to lock: every row touched, sorted, even where the net change is zero
        assertEquals(net.keySet().stream().sorted().toList(), List.copyOf(Movements.rows(doc)));
    }

    private static Arguments row(
            String name,
            DocumentData doc,
            List<Movements.Stock> stock,
            List<Movements.Sales> sales,
            Map<StockKey, String> net) {
        Map<StockKey, BigDecimal> n = new LinkedHashMap<>();
        net.forEach((k, q) -> n.put(k, new BigDecimal(q)));
        return Arguments.of(name, doc, stock, sales, n);
    }

    private static DocumentData doc(DocumentType type, DocumentData.Line... lines) {
        return new DocumentData(UUID.randomUUID(), type, "N1", DAY, DocumentStatus.DRAFT, Arrays.asList(lines), null);
    }

    private static DocumentData.Line line(int no, String item, String wh, String to, String quantity, String amount) {
        return new DocumentData.Line(no, item, wh, to, new BigDecimal(quantity), new BigDecimal(amount));
    }

    private static StockKey key(String item, String wh) {
        return new StockKey(item, wh);
    }

    private static Movements.Stock stock(int no, String item, String wh, String quantity) {
        return new Movements.Stock(no, key(item, wh), new BigDecimal(quantity));
    }

    private static Movements.Sales sales(int no, String item, String wh, String quantity, String amount) {
        return new Movements.Sales(no, item, wh, DAY, new BigDecimal(quantity), new BigDecimal(amount));
    }
}
