package io.suite.posting.locking;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.suite.posting.LockMode;
import io.suite.posting.model.DocumentType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LockPolicyTest {

    @Test
    void managedIsReadCommittedWithManagedLocks() {
        LockPolicy.Plan p = new LockPolicy(LockMode.MANAGED, Map.of(), Map.of()).plan(DocumentType.SHIPMENT);
        assertFalse(p.serializable());
        assertTrue(p.managedLocks());
    }

    @Test
    void onlyManagedAndTheGroupedForUpdatePeerGoTheGroupedWay() {
        LockPolicy.Plan grouped =
                new LockPolicy(LockMode.FOR_UPDATE_GROUPED, Map.of(), Map.of()).plan(DocumentType.SHIPMENT);
        assertTrue(grouped.grouped());
        assertTrue(grouped.rowLocks());
        assertFalse(grouped.managedLocks());
        assertFalse(grouped.serializable());
        assertTrue(new LockPolicy(LockMode.MANAGED, Map.of(), Map.of())
                .plan(DocumentType.SHIPMENT)
                .grouped());
        for (LockMode other : new LockMode[] {LockMode.FOR_UPDATE, LockMode.AUTOMATIC}) {
            assertFalse(new LockPolicy(other, Map.of(), Map.of())
                    .plan(DocumentType.SHIPMENT)
                    .grouped());
        }
        // automatic outside still takes managed locks, but runs SERIALIZABLE: the long way
        assertFalse(new LockPolicy(LockMode.AUTOMATIC_AND_MANAGED, Map.of("SHIPMENT", LockMode.AUTOMATIC), Map.of())
                .plan(DocumentType.SHIPMENT)
                .grouped());
    }

    @Test
    void automaticIsSerializableWithoutTheLockService() {
        LockPolicy.Plan p = new LockPolicy(LockMode.AUTOMATIC, Map.of(), Map.of()).plan(DocumentType.RECEIPT);
        assertTrue(p.serializable());
        assertFalse(p.managedLocks());
    }

    @Test
    void automaticOutsideManagedInsideRunsAutomaticButStillLocksTheRowsItWrites() {
        LockPolicy.Plan p = new LockPolicy(
                        LockMode.AUTOMATIC_AND_MANAGED,
                        Map.of("SHIPMENT", LockMode.AUTOMATIC),
                        Map.of("Stock", LockMode.MANAGED))
                .plan(DocumentType.SHIPMENT);
        assertEquals(LockMode.AUTOMATIC, p.mode());
        assertTrue(p.serializable());
        assertTrue(p.managedLocks());
    }

    @Test
    void managedOutsideAutomaticInsideIsRefusedNamingBoth() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new LockPolicy(
                        LockMode.AUTOMATIC_AND_MANAGED,
                        Map.of("SHIPMENT", LockMode.MANAGED),
                        Map.of("Sales", LockMode.AUTOMATIC)));
        assertTrue(e.getMessage().contains("document type SHIPMENT"), e.getMessage());
        assertTrue(e.getMessage().contains("register Sales"), e.getMessage());
    }

    @Test
    void anAutomaticRegisterIsFineUnderDocumentTypesThatDoNotWriteIt() {
        LockPolicy policy = new LockPolicy(
                LockMode.AUTOMATIC_AND_MANAGED,
                Map.of("SHIPMENT", LockMode.AUTOMATIC),
                Map.of("Sales", LockMode.AUTOMATIC));
        assertEquals(LockMode.MANAGED, policy.plan(DocumentType.RECEIPT).mode());
        assertEquals(LockMode.AUTOMATIC, policy.plan(DocumentType.SHIPMENT).mode());
    }

    @Test
    void unknownNamesAndNestedMixedModesAreRefused() {
        assertThrows(
                IllegalStateException.class,
                () -> new LockPolicy(LockMode.AUTOMATIC_AND_MANAGED, Map.of("INVOICE", LockMode.MANAGED), Map.of()));
        assertThrows(
                IllegalStateException.class,
                () -> new LockPolicy(LockMode.AUTOMATIC_AND_MANAGED, Map.of(), Map.of("Stock", LockMode.FOR_UPDATE)));
        assertThrows(
                IllegalStateException.class,
                () -> new LockPolicy(
                        LockMode.AUTOMATIC_AND_MANAGED, Map.of("SHIPMENT", LockMode.FOR_UPDATE_GROUPED), Map.of()));
    }
}
