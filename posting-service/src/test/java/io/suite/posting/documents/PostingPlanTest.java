package io.suite.posting.documents;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.suite.posting.documents.PostingJob.Op;
import io.suite.posting.model.DocumentData;
import io.suite.posting.model.DocumentStatus;
import io.suite.posting.model.DocumentType;
import io.suite.posting.model.Shortage;
import io.suite.posting.registers.StockKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link PostingPlan#decide} does with one document, as a table; then the cases of several. No database. */
class PostingPlanTest {
    private static final StockKey A_W1 = new StockKey("A", "W1");
    private static final String NEW = "new";
    private static final String MISSING = "missing";

    /** What the plan writes for the document, beside its outcome. */
    enum Write {
        INSERT,
        TO_POSTED,
        TO_DRAFT,
        NONE
    }

    static Stream<Arguments> cases() {
        // name, op, repost, current status (NEW, MISSING or a status), balances (null: unchecked),
        // outcome, status after, reason, write, stock change of A/W1, movements cleared, event, Sales change
        return Stream.of(
                row(
                        "a new document posted",
                        Op.POST,
                        false,
                        NEW,
                        null,
                        Outcome.POSTED,
                        DocumentStatus.POSTED,
                        null,
                        Write.INSERT,
                        "-3",
                        false,
                        "posted",
                        "3"),
                row(
                        "a new document saved as a draft",
                        Op.DRAFT,
                        false,
                        NEW,
                        null,
                        Outcome.DRAFT,
                        DocumentStatus.DRAFT,
                        null,
                        Write.INSERT,
                        null,
                        false,
                        null,
                        null),
                row(
                        "a draft posted",
                        Op.POST,
                        false,
                        "DRAFT",
                        null,
                        Outcome.POSTED,
                        DocumentStatus.POSTED,
                        null,
                        Write.TO_POSTED,
                        "-3",
                        false,
                        "posted",
                        "3"),
                row(
                        "a posted document is not posted twice",
                        Op.POST,
                        false,
                        "POSTED",
                        null,
                        Outcome.SKIPPED,
                        DocumentStatus.POSTED,
                        "already posted",
                        Write.NONE,
                        null,
                        false,
                        null,
                        null),
                row(
                        "a posted document reposted: movements replaced, balances unchanged",
                        Op.POST,
                        true,
                        "POSTED",
                        null,
                        Outcome.REPOSTED,
                        DocumentStatus.POSTED,
                        null,
                        Write.NONE,
                        "0",
                        true,
                        "posted",
                        "0"),
                row(
                        "a posted document unposted",
                        Op.UNPOST,
                        true,
                        "POSTED",
                        null,
                        Outcome.UNPOSTED,
                        DocumentStatus.DRAFT,
                        null,
                        Write.TO_DRAFT,
                        "3",
                        true,
                        "unposted",
                        "-3"),
                row(
                        "a draft is not unposted",
                        Op.UNPOST,
                        true,
                        "DRAFT",
                        null,
                        Outcome.SKIPPED,
                        DocumentStatus.DRAFT,
                        "not posted",
                        Write.NONE,
                        null,
                        false,
                        null,
                        null),
                row(
                        "a document that is gone is skipped",
                        Op.POST,
                        false,
                        MISSING,
                        null,
                        Outcome.SKIPPED,
                        DocumentStatus.DRAFT,
                        "not found",
                        Write.NONE,
                        null,
                        false,
                        null,
                        null),
                row(
                        "checked: enough stock",
                        Op.POST,
                        false,
                        "DRAFT",
                        "3",
                        Outcome.POSTED,
                        DocumentStatus.POSTED,
                        null,
                        Write.TO_POSTED,
                        "-3",
                        false,
                        "posted",
                        "3"),
                row(
                        "checked: short of stock, rejected and nothing written",
                        Op.POST,
                        false,
                        "DRAFT",
                        "2",
                        Outcome.REJECTED,
                        DocumentStatus.DRAFT,
                        "insufficient stock",
                        Write.NONE,
                        null,
                        false,
                        null,
                        null),
                row(
                        "checked: a new document short of stock stays a draft",
                        Op.POST,
                        false,
                        NEW,
                        "0",
                        Outcome.REJECTED,
                        DocumentStatus.DRAFT,
                        "insufficient stock",
                        Write.NONE,
                        null,
                        false,
                        null,
                        null),
                row(
                        "checked: unposting a shipment only adds stock",
                        Op.UNPOST,
                        true,
                        "POSTED",
                        "0",
                        Outcome.UNPOSTED,
                        DocumentStatus.DRAFT,
                        null,
                        Write.TO_DRAFT,
                        "3",
                        true,
                        "unposted",
                        "-3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oneDocument(
            String name,
            Op op,
            boolean repost,
            String current,
            String balance,
            Outcome outcome,
            DocumentStatus after,
            String reason,
            Write write,
            String stockChange,
            boolean cleared,
            String event,
            String salesChange) {
        DocumentData doc = shipment("3");
        Map<UUID, DocumentStatus> status = current.equals(NEW) || current.equals(MISSING)
                ? Map.of()
                : Map.of(doc.id(), DocumentStatus.valueOf(current));
        Map<StockKey, BigDecimal> balances =
                balance == null ? null : new HashMap<>(Map.of(A_W1, new BigDecimal(balance)));

        PostingPlan plan =
                PostingPlan.decide(List.of(new PostingJob(doc, current.equals(NEW), op, repost)), status, balances);

        DocumentOutcome o = plan.outcomes().get(0);
        assertEquals(outcome, o.outcome());
        assertEquals(after, o.doc().status());
        assertEquals(reason, o.reason());
        assertEquals(
                outcome == Outcome.REJECTED
                        ? List.of(new Shortage("A", "W1", new BigDecimal("3"), new BigDecimal(balance)))
                        : List.of(),
                o.shortages());
        assertEquals(write == Write.INSERT ? List.of(o.doc()) : List.of(), plan.inserts());
        assertEquals(write == Write.TO_POSTED ? List.of(doc.id()) : List.of(), plan.toPosted());
        assertEquals(write == Write.TO_DRAFT ? List.of(doc.id()) : List.of(), plan.toDraft());
        assertAmount(stockChange, plan.stockChange().get(A_W1));
        assertEquals(cleared ? List.of(doc.id()) : List.of(), plan.clearMovements());
        assertEquals(
                event == null ? List.of() : List.of(event),
                plan.events().stream().map(e -> e.event()).toList());
        boolean posts = after == DocumentStatus.POSTED && outcome != Outcome.SKIPPED;
        assertEquals(posts ? 1 : 0, plan.stockRows().size());
        assertEquals(posts ? 1 : 0, plan.salesRows().size());
        assertAmount(
                salesChange,
                plan.salesChange().values().stream().map(v -> v[0]).findFirst().orElse(null));
        if (balances != null) {
            assertEquals(
                    0, new BigDecimal(balance).compareTo(balances.get(A_W1)), "the caller's balances are not changed");
        }
    }

    @Test
    void eachDocumentIsCheckedAgainstWhatTheDocumentsBeforeItLeft() {
        DocumentData receipt = doc(DocumentType.RECEIPT, "2");
        DocumentData first = shipment("3");
        DocumentData second = shipment("3");
        PostingPlan plan = PostingPlan.decide(
                List.of(job(first), job(second), job(receipt)),
                Map.of(
                        first.id(),
                        DocumentStatus.DRAFT,
                        second.id(),
                        DocumentStatus.DRAFT,
                        receipt.id(),
                        DocumentStatus.DRAFT),
                Map.of(A_W1, new BigDecimal("4")));
        assertEquals(
                List.of(Outcome.POSTED, Outcome.REJECTED, Outcome.POSTED),
                plan.outcomes().stream().map(DocumentOutcome::outcome).toList());
        assertEquals(
                List.of(new Shortage("A", "W1", new BigDecimal("3"), new BigDecimal("1"))),
                plan.outcomes().get(1).shortages());
        assertAmount("-1", plan.stockChange().get(A_W1));
        assertEquals(List.of(first.id(), receipt.id()), plan.toPosted());
    }

    @Test
    void uncheckedDocumentsAreAllTakenAndTheirChangesSummed() {
        DocumentData first = shipment("3");
        DocumentData second = shipment("2");
        PostingPlan plan = PostingPlan.decide(List.of(newJob(first), newJob(second)), Map.of(), null);
        assertEquals(
                List.of(Outcome.POSTED, Outcome.POSTED),
                plan.outcomes().stream().map(DocumentOutcome::outcome).toList());
        assertAmount("-5", plan.stockChange().get(A_W1));
        assertEquals(1, plan.salesChange().size(), "one Sales total for one item, warehouse and day");
        assertAmount("5", plan.salesChange().values().iterator().next()[0]);
        assertEquals(first, plan.answer().withStatus(DocumentStatus.DRAFT));
    }

    /** The document writes: their parameters, part by part (one line, one item). */
    @Test
    void theWritesOfANewShipmentAreOneOfEachPart() {
        PostingPlan plan = PostingPlan.decide(List.of(newJob(shipment("3"))), Map.of(), null);
        // document 6 + its line 7 + Stock movement 5 + Sales movement 7 + Sales total 6 + outbox row 2
        assertEquals(6 + 7 + 5 + 7 + 6 + 2, plan.writes(32).parameters());
        PostingPlan skipped =
                PostingPlan.decide(List.of(new PostingJob(shipment("3"), false, Op.POST, false)), Map.of(), null);
        assertEquals(0, skipped.writes(32).parameters());
        assertTrue(skipped.stockChange().isEmpty());
    }

    private static Arguments row(Object... values) {
        return Arguments.of(values);
    }

    private static void assertAmount(String expected, BigDecimal actual) {
        if (expected == null) {
            assertEquals(null, actual);
        } else {
            assertEquals(0, new BigDecimal(expected).compareTo(actual), expected + " expected, was " + actual);
        }
    }

    private static PostingJob job(DocumentData doc) {
        return new PostingJob(doc, false, Op.POST, false);
    }

    private static PostingJob newJob(DocumentData doc) {
        return new PostingJob(doc, true, Op.POST, false);
    }

    private static DocumentData shipment(String quantity) {
        return doc(DocumentType.SHIPMENT, quantity);
    }

    private static DocumentData doc(DocumentType type, String quantity) {
        return new DocumentData(
                UUID.randomUUID(),
                type,
                "N-" + quantity,
                LocalDate.of(2026, 3, 1),
                DocumentStatus.DRAFT,
                List.of(new DocumentData.Line(0, "A", "W1", null, new BigDecimal(quantity), new BigDecimal("9.99"))),
                "clerk");
    }
}
