package io.suite.posting.documents;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.quarkiverse.resteasy.problem.HttpProblem;
import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.model.DocumentType;
import io.suite.problems.Dates;
import io.suite.problems.Text;
import io.suite.problems.Violations;

/**
 * What a document must look like before anything is written: types, positive quantities with at
 * most 3 decimals, toWarehouse only and always on TRANSFER, a line limit, number and date format,
 * names and numbers by the suite's text rule ({@link Text}), dates PostgreSQL and clients read back ({@link Dates}).
 */
public final class DocumentRules {
    public static final int QUANTITY_SCALE = 3;
    public static final int AMOUNT_SCALE = 2;
    public static final int MAX_NUMBER_LENGTH = 40;
    public static final int MAX_NAME_LENGTH = 100;
    /** numeric(18,3) / numeric(18,2): stay clearly inside both. */
    private static final BigDecimal MAX_VALUE = new BigDecimal("1000000000000");

    private DocumentRules() {}

    /** The document to create (new id, status DRAFT), or a 400 validation problem listing every violation. */
    public static DocumentData validate(DocumentRequest r, int maxLines, LocalDate today) {
        Map<String, String> v = new LinkedHashMap<>();
        if (r == null) {
            throw problem(Map.of("body", "a document is required"));
        }
        DocumentType type = null;
        if (r.type() == null || !DocumentType.names().contains(r.type())) {
            v.put("type", "must be one of " + DocumentType.names());
        } else {
            type = DocumentType.valueOf(r.type());
        }
        String number = r.number();
        if (number != null && (number.isBlank() || number.length() > MAX_NUMBER_LENGTH)) {
            v.put("number", "must be 1 to " + MAX_NUMBER_LENGTH + " characters");
        }
        if (number != null && !v.containsKey("number") && Text.name(number, MAX_NUMBER_LENGTH) != null) {
            v.put("number", Text.name(number, MAX_NUMBER_LENGTH));
        }
        LocalDate date = today;
        if (Dates.check(r.date()) != null) {
            v.put("date", Dates.check(r.date()));
        } else if (r.date() != null) {
            date = LocalDate.parse(r.date());
        }
        List<DocumentData.Line> lines = new ArrayList<>();
        if (r.lines() == null || r.lines().isEmpty()) {
            v.put("lines", "at least one line is required");
        } else if (r.lines().size() > maxLines) {
            v.put("lines", "at most " + maxLines + " lines");
        } else {
            for (int i = 0; i < r.lines().size(); i++) {
                DocumentRequest.LineRequest l = r.lines().get(i);
                String at = "lines[" + i + "]";
                if (l == null) {
                    v.put(at, "must be an object");
                    continue;
                }
                name(v, at + ".item", l.item());
                name(v, at + ".warehouse", l.warehouse());
                if (type == DocumentType.TRANSFER) {
                    name(v, at + ".toWarehouse", l.toWarehouse());
                    if (l.toWarehouse() != null && l.toWarehouse().equals(l.warehouse())) {
                        v.put(at + ".toWarehouse", "must differ from warehouse");
                    }
                } else if (type != null && l.toWarehouse() != null) {
                    v.put(at + ".toWarehouse", "only a TRANSFER has toWarehouse");
                }
                if (l.quantity() == null || l.quantity().signum() <= 0) {
                    v.put(at + ".quantity", "must be greater than 0");
                } else if (l.quantity().stripTrailingZeros().scale() > QUANTITY_SCALE
                        || l.quantity().compareTo(MAX_VALUE) >= 0) {
                    v.put(at + ".quantity", "at most " + QUANTITY_SCALE + " decimals and less than " + MAX_VALUE);
                }
                BigDecimal amount = l.amount() == null ? BigDecimal.ZERO : l.amount();
                if (amount.signum() < 0
                        || amount.stripTrailingZeros().scale() > AMOUNT_SCALE
                        || amount.compareTo(MAX_VALUE) >= 0) {
                    v.put(
                            at + ".amount",
                            "must be 0 or more, at most " + AMOUNT_SCALE + " decimals, less than " + MAX_VALUE);
                }
                if (!v.keySet().stream().anyMatch(k -> k.startsWith(at))) {
                    lines.add(new DocumentData.Line(
                            i,
                            l.item(),
                            l.warehouse(),
                            type == DocumentType.TRANSFER ? l.toWarehouse() : null,
                            l.quantity().setScale(QUANTITY_SCALE),
                            amount.setScale(AMOUNT_SCALE)));
                }
            }
        }
        if (!v.isEmpty()) {
            throw problem(v);
        }
        if (number == null) {
            number = type.name().charAt(0) + "-" + UUID.randomUUID().toString().substring(0, 13);
        }
        return new DocumentData(UUID.randomUUID(), type, number, date, DocumentStatus.DRAFT, lines, null);
    }

    private static void name(Map<String, String> v, String field, String value) {
        if (value == null || value.isBlank() || value.length() > MAX_NAME_LENGTH) {
            v.put(field, "must be 1 to " + MAX_NAME_LENGTH + " characters");
        } else if (Text.name(value, MAX_NAME_LENGTH) != null) {
            v.put(field, Text.name(value, MAX_NAME_LENGTH));
        }
    }

    private static HttpProblem problem(Map<String, String> violations) {
        Violations out = new Violations();
        violations.forEach(out::add);
        return out.problem("Invalid document");
    }
}
