package io.suite.posting.documents;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.OrderColumn;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import io.suite.posting.Db;
import io.suite.posting.Writes;

/**
 * A document row with its lines (Panache entity, for reads); posting writes it, like the registers,
 * through native SQL ({@link #insertAll}).
 */
@Entity
@Table(name = "documents")
public class Document extends PanacheEntityBase {
    private static final int LINES_A_STATEMENT = 1000;
    @Id
    public UUID id;
    @Enumerated(EnumType.STRING)
    public DocumentType type;
    public String number;
    public LocalDate date;
    @Enumerated(EnumType.STRING)
    public DocumentStatus status;
    @Column(name = "posted_at")
    public OffsetDateTime postedAt;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "document_lines", joinColumns = @JoinColumn(name = "document_id"))
    @OrderColumn(name = "line_no")
    public List<DocumentLine> lines = new ArrayList<>();

    public static Uni<List<Document>> withStatus(DocumentStatus status) {
        return find("select distinct d from Document d left join fetch d.lines where d.status = ?1 order by d.date, d.number",
                status).list();
    }

    /**
     * Queues in {@code w} the inserts of new documents and their lines: they go to PostgreSQL in one
     * statement with the posting's other writes ({@link Writes}), not as Hibernate's two round trips.
     * The movements' foreign keys are checked at the end of that statement, so they may share it.
     */
    static void insertAll(Writes w, List<DocumentData> docs) {
        if (docs.isEmpty()) {
            return;
        }
        List<Object> p = new ArrayList<>();
        StringBuilder values = new StringBuilder();
        List<Object[]> lines = new ArrayList<>();
        for (DocumentData d : docs) {
            String row = Db.tuples(1, 5, p.size() + 1);
            // status is ours (an enum), so the SQL text can carry posted_at's choice
            values.append(p.isEmpty() ? "" : ",").append(row, 0, row.length() - 1)
                    .append(d.status() == DocumentStatus.POSTED ? ", now())" : ", NULL)");
            p.addAll(List.of(d.id(), d.type().name(), d.number(), d.date(), d.status().name()));
            for (int i = 0; i < d.lines().size(); i++) {
                DocumentData.Line l = d.lines().get(i);
                lines.add(new Object[] { d.id(), i, l.item(), l.warehouse(), l.toWarehouse(), l.quantity(), l.amount() });
            }
        }
        w.add("INSERT INTO documents (id, type, number, date, status, posted_at) VALUES " + values, p);
        for (int from = 0; from < lines.size(); from += LINES_A_STATEMENT) {
            List<Object[]> part = lines.subList(from, Math.min(lines.size(), from + LINES_A_STATEMENT));
            List<Object> lp = new ArrayList<>();
            part.forEach(l -> lp.addAll(Arrays.asList(l)));
            w.add("INSERT INTO document_lines (document_id, line_no, item, warehouse, to_warehouse, quantity, amount) VALUES "
                    + Db.tuples(part.size(), 7, 1), lp);
        }
    }

    public DocumentData data() {
        List<DocumentData.Line> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            DocumentLine l = lines.get(i);
            out.add(new DocumentData.Line(i, l.item, l.warehouse, l.toWarehouse, l.quantity.setScale(3),
                    l.amount.setScale(2)));
        }
        return new DocumentData(id, type, number, date, status, out);
    }
}
