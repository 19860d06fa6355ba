package io.suite.posting.documents;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import io.suite.posting.Db;
import io.suite.posting.Writes;
import io.suite.posting.events.Outbox;
import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.model.Shortage;
import io.suite.posting.registers.BalanceRule;
import io.suite.posting.registers.Movements;
import io.suite.posting.registers.SalesRegister;
import io.suite.posting.registers.StockKey;
import io.suite.posting.registers.StockRegister;

/**
 * What posting some documents does, decided in memory and nothing else (no database, no lock, no
 * clock but the outbox's {@code at}): each document's {@link Outcome}, the change of every Stock row it
 * touches, and the writes of the documents, their movements, the Sales totals and the outbox rows.
 * Who runs it decides how: {@link GroupedPosting} (one statement, under managed locks) or
 * {@link PostingEngine} (a transaction). The balances are theirs to write ({@link #stockChange}).
 */
public final class PostingPlan {
    private static final int LINES_A_STATEMENT = 1000;

    private final List<DocumentOutcome> outcomes = new ArrayList<>();
    private final Map<StockKey, BigDecimal> stockChange = new LinkedHashMap<>();
    private final Map<SalesRegister.Total, BigDecimal[]> salesChange =
            new TreeMap<>(Comparator.comparing(SalesRegister.Total::item)
                    .thenComparing(SalesRegister.Total::warehouse)
                    .thenComparing(SalesRegister.Total::day));
    private final List<DocumentData> inserts = new ArrayList<>();
    private final List<UUID> toPosted = new ArrayList<>();
    private final List<UUID> toDraft = new ArrayList<>();
    private final List<UUID> clearMovements = new ArrayList<>();
    private final List<StockRegister.Row> stockRows = new ArrayList<>();
    private final List<SalesRegister.Row> salesRows = new ArrayList<>();
    private final List<Outbox.Event> events = new ArrayList<>();

    private PostingPlan() {}

    /**
     * Decides each job in order. {@code status}: the current status of the existing documents (a missing
     * one is not found). With {@code balances} every document is checked by {@link BalanceRule} against the
     * balances left by the documents before it, and one short of stock is REJECTED; without, all are taken
     * (and the whole {@link #stockChange} is checked, or written under the rule, later).
     */
    public static PostingPlan decide(
            List<PostingJob> jobs, Map<UUID, DocumentStatus> status, Map<StockKey, BigDecimal> balances) {
        PostingPlan plan = new PostingPlan();
        Map<StockKey, BigDecimal> left = balances == null ? null : new HashMap<>(balances);
        for (PostingJob job : jobs) {
            plan.decide(job, job.isNew() ? null : status.get(job.doc().id()), left);
        }
        return plan;
    }

    private void decide(PostingJob job, DocumentStatus current, Map<StockKey, BigDecimal> balances) {
        DocumentData doc = job.doc();
        if (!job.isNew() && current == null) {
            outcomes.add(new DocumentOutcome(doc, Outcome.SKIPPED, List.of(), "not found"));
            return;
        }
        boolean wasPosted = current == DocumentStatus.POSTED;
        boolean willPost;
        Outcome outcome;
        switch (job.op()) {
            case DRAFT -> {
                willPost = false;
                outcome = Outcome.DRAFT;
            }
            case POST -> {
                if (wasPosted && !job.repost()) {
                    outcomes.add(
                            new DocumentOutcome(doc.withStatus(current), Outcome.SKIPPED, List.of(), "already posted"));
                    return;
                }
                willPost = true;
                outcome = wasPosted ? Outcome.REPOSTED : Outcome.POSTED;
            }
            default -> {
                if (!wasPosted) {
                    outcomes.add(
                            new DocumentOutcome(doc.withStatus(current), Outcome.SKIPPED, List.of(), "not posted"));
                    return;
                }
                willPost = false;
                outcome = Outcome.UNPOSTED;
            }
        }
        // movements are a function of the (immutable) lines: old = what posting wrote, new = what it writes now
        List<Movements.Stock> newStock = willPost ? Movements.stock(doc) : List.of();
        Map<StockKey, BigDecimal> change = Movements.net(newStock);
        if (wasPosted) {
            Movements.net(Movements.stock(doc)).forEach((k, q) -> change.merge(k, q.negate(), BigDecimal::add));
        }
        if (balances != null) {
            List<Shortage> shortages = BalanceRule.shortages(balances, change);
            if (!shortages.isEmpty()) {
                outcomes.add(new DocumentOutcome(
                        doc.withStatus(current == null ? DocumentStatus.DRAFT : current),
                        Outcome.REJECTED,
                        shortages,
                        "insufficient stock"));
                return;
            }
            change.forEach((k, q) -> balances.merge(k, q, BigDecimal::add));
        }
        change.forEach((k, q) -> stockChange.merge(k, q, BigDecimal::add));
        DocumentData after = doc.withStatus(willPost ? DocumentStatus.POSTED : DocumentStatus.DRAFT);
        if (job.isNew()) {
            inserts.add(after);
        } else if (willPost && !wasPosted) {
            toPosted.add(doc.id());
        } else if (!willPost && wasPosted) {
            toDraft.add(doc.id());
        }
        if (wasPosted) {
            clearMovements.add(doc.id());
            Movements.sales(doc).forEach(m -> addSales(m, -1));
        }
        if (willPost) {
            newStock.forEach(m -> stockRows.add(new StockRegister.Row(doc.id(), m)));
            for (Movements.Sales m : Movements.sales(doc)) {
                salesRows.add(new SalesRegister.Row(doc.id(), m));
                addSales(m, +1);
            }
        }
        if (outcome != Outcome.DRAFT) {
            events.add(new Outbox.Event(willPost ? "posted" : "unposted", after));
        }
        outcomes.add(new DocumentOutcome(after, outcome, List.of(), null));
    }

    private void addSales(Movements.Sales m, int sign) {
        BigDecimal[] v = salesChange.computeIfAbsent(new SalesRegister.Total(m.item(), m.warehouse(), m.day()), t ->
                new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO});
        v[0] = sign > 0 ? v[0].add(m.quantity()) : v[0].subtract(m.quantity());
        v[1] = sign > 0 ? v[1].add(m.amount()) : v[1].subtract(m.amount());
    }

    /** Each job's outcome, in the order of the jobs. */
    public List<DocumentOutcome> outcomes() {
        return Collections.unmodifiableList(outcomes);
    }

    /** The net change of each Stock row, over every document taken: what the balances get. */
    public Map<StockKey, BigDecimal> stockChange() {
        return Collections.unmodifiableMap(stockChange);
    }

    /** Documents whose old movements go first (a repost or unpost), in a statement of their own. */
    public List<UUID> clearMovements() {
        return Collections.unmodifiableList(clearMovements);
    }

    /** The answer stored with an Idempotency-Key: the first document as posting left it. */
    public DocumentData answer() {
        return outcomes.get(0).doc();
    }

    /**
     * Everything but the balances and {@link #clearMovements}: new documents and their lines, status
     * changes, movements, Sales totals (in at most {@code salesSplits} split rows) and outbox rows, as
     * parts of one statement ({@link Writes}).
     */
    public Writes writes(int salesSplits) {
        Writes w = new Writes();
        insertDocuments(w, inserts);
        if (!toPosted.isEmpty()) {
            w.add(
                    "UPDATE documents SET status = 'POSTED', posted_at = now() WHERE id IN "
                            + Db.tuples(1, toPosted.size(), 1),
                    toPosted);
        }
        if (!toDraft.isEmpty()) {
            w.add(
                    "UPDATE documents SET status = 'DRAFT', posted_at = NULL WHERE id IN "
                            + Db.tuples(1, toDraft.size(), 1),
                    toDraft);
        }
        StockRegister.insertMovements(w, stockRows);
        SalesRegister.insertMovements(w, salesRows);
        SalesRegister.add(w, salesChange, salesSplits);
        Outbox.add(w, events);
        return w;
    }

    /**
     * The inserts of new documents and their lines: they go to PostgreSQL in one statement with the
     * posting's other writes, not as Hibernate's two round trips. The movements' foreign keys are
     * checked at the end of that statement, so they may share it.
     */
    private static void insertDocuments(Writes w, List<DocumentData> docs) {
        if (docs.isEmpty()) {
            return;
        }
        List<Object> p = new ArrayList<>();
        StringBuilder values = new StringBuilder();
        List<Object[]> lines = new ArrayList<>();
        for (DocumentData d : docs) {
            String row = Db.tuples(1, 6, p.size() + 1);
            // status is ours (an enum), so the SQL text can carry posted_at's choice
            values.append(p.isEmpty() ? "" : ",")
                    .append(row, 0, row.length() - 1)
                    .append(d.status() == DocumentStatus.POSTED ? ", now())" : ", NULL)");
            p.addAll(Arrays.asList(
                    d.id(),
                    d.type().name(),
                    d.number(),
                    d.date(),
                    d.createdBy(),
                    d.status().name()));
            for (int i = 0; i < d.lines().size(); i++) {
                DocumentData.Line l = d.lines().get(i);
                lines.add(new Object[] {d.id(), i, l.item(), l.warehouse(), l.toWarehouse(), l.quantity(), l.amount()});
            }
        }
        w.add("INSERT INTO documents (id, type, number, date, created_by, status, posted_at) VALUES " + values, p);
        for (int from = 0; from < lines.size(); from += LINES_A_STATEMENT) {
            List<Object[]> part = lines.subList(from, Math.min(lines.size(), from + LINES_A_STATEMENT));
            List<Object> lp = new ArrayList<>();
            part.forEach(l -> lp.addAll(Arrays.asList(l)));
            w.add(
                    "INSERT INTO document_lines (document_id, line_no, item, warehouse, to_warehouse, quantity, amount) VALUES "
                            + Db.tuples(part.size(), 7, 1),
                    lp);
        }
    }

    // what the table tests read

    List<DocumentData> inserts() {
        return inserts;
    }

    List<UUID> toPosted() {
        return toPosted;
    }

    List<UUID> toDraft() {
        return toDraft;
    }

    List<StockRegister.Row> stockRows() {
        return stockRows;
    }

    List<SalesRegister.Row> salesRows() {
        return salesRows;
    }

    Map<SalesRegister.Total, BigDecimal[]> salesChange() {
        return salesChange;
    }

    List<Outbox.Event> events() {
        return events;
    }
}
