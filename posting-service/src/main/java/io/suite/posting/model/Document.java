package io.suite.posting.model;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
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

/**
 * A document row with its lines (Panache entity, for reads); posting writes it, like the registers,
 * through native SQL (the posting plan's writes).
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

    @Column(name = "created_by")
    public String createdBy;

    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "document_lines", joinColumns = @JoinColumn(name = "document_id"))
    @OrderColumn(name = "line_no")
    public List<DocumentLine> lines = new ArrayList<>();

    /** Every document of {@code status}, with its lines (a posting run's DRAFTs). */
    public static Uni<List<Document>> withStatus(DocumentStatus status) {
        return find(
                        "select distinct d from Document d left join fetch d.lines where d.status = ?1 order by d.date, d.number",
                        status)
                .list();
    }

    /**
     * One page of the documents of {@code status} in date, number, id order: at most {@code limit}, those after
     * {@code after} (a document id; null from the start). The page's ids come first (the index
     * documents_status_date_number), then their lines in one fetch: a limit on a fetch join would be applied in
     * memory, over every document of the status.
     */
    public static Uni<List<Document>> page(DocumentStatus status, Document after, int limit) {
        String where = after == null
                ? "d.status = ?1"
                : "d.status = ?1 and (d.date > ?2 or (d.date = ?2 and (d.number > ?3 or (d.number = ?3 and d.id > ?4))))";
        Object[] params =
                after == null ? new Object[] {status} : new Object[] {status, after.date, after.number, after.id};
        Uni<List<UUID>> ids = find(
                        "select d.id from Document d where " + where + " order by d.date, d.number, d.id", params)
                .project(UUID.class)
                .page(0, limit)
                .list();
        return ids.chain(page -> page.isEmpty()
                ? Uni.createFrom().item(List.<Document>of())
                : find(
                                "select distinct d from Document d left join fetch d.lines where d.id in ?1"
                                        + " order by d.date, d.number, d.id",
                                page)
                        .list());
    }

    public DocumentData data() {
        List<DocumentData.Line> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            DocumentLine l = lines.get(i);
            out.add(new DocumentData.Line(
                    i, l.item, l.warehouse, l.toWarehouse, l.quantity.setScale(3), l.amount.setScale(2)));
        }
        return new DocumentData(id, type, number, date, status, out, createdBy);
    }
}
