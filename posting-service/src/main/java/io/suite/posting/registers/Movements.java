package io.suite.posting.registers;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentData.Line;
import io.suite.posting.model.DocumentType;

/** The register movements of a document, derived from its lines (same lines, same movements). */
public final class Movements {
    private Movements() {}

    public record Stock(int lineNo, StockKey key, BigDecimal quantity) {}

    public record Sales(
            int lineNo, String item, String warehouse, LocalDate day, BigDecimal quantity, BigDecimal amount) {}

    public static List<Stock> stock(DocumentData doc) {
        List<Stock> out = new ArrayList<>();
        for (Line l : doc.lines()) {
            switch (doc.type()) {
                case RECEIPT -> out.add(new Stock(l.lineNo(), new StockKey(l.item(), l.warehouse()), l.quantity()));
                case SHIPMENT ->
                    out.add(new Stock(
                            l.lineNo(),
                            new StockKey(l.item(), l.warehouse()),
                            l.quantity().negate()));
                case TRANSFER -> {
                    out.add(new Stock(
                            l.lineNo(),
                            new StockKey(l.item(), l.warehouse()),
                            l.quantity().negate()));
                    out.add(new Stock(l.lineNo(), new StockKey(l.item(), l.toWarehouse()), l.quantity()));
                }
            }
        }
        return out;
    }

    public static List<Sales> sales(DocumentData doc) {
        List<Sales> out = new ArrayList<>();
        if (doc.type() == DocumentType.SHIPMENT) {
            for (Line l : doc.lines()) {
                out.add(new Sales(l.lineNo(), l.item(), l.warehouse(), doc.date(), l.quantity(), l.amount()));
            }
        }
        return out;
    }

    /** Net change per Stock row. */
    public static Map<StockKey, BigDecimal> net(List<Stock> movements) {
        Map<StockKey, BigDecimal> net = new LinkedHashMap<>();
        for (Stock m : movements) {
            net.merge(m.key(), m.quantity(), BigDecimal::add);
        }
        return net;
    }

    /** The Stock rows a document touches, sorted. */
    public static Set<StockKey> rows(DocumentData doc) {
        Set<StockKey> rows = new TreeSet<>();
        stock(doc).forEach(m -> rows.add(m.key()));
        return rows;
    }
}
