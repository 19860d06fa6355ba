package io.suite.posting.locking;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.suite.posting.LockMode;
import io.suite.posting.model.DocumentType;

/**
 * The nesting rule of the lock control modes, in one place. The posting transaction of a
 * document type is the outer transaction, the registers it writes are inner ones:
 * automatic outside + managed inside runs automatic; managed outside + automatic inside is
 * refused when the service starts, with a message naming both.
 */
public final class LockPolicy {
    public static final String STOCK = "Stock";
    public static final String SALES = "Sales";

    /** How one document type's posting transaction runs. */
    public record Plan(LockMode mode, boolean serializable, boolean managedLocks, boolean rowLocks) {
        /**
         * A new document goes the short way of {@code GroupedPosting} (grouped, one statement that is its
         * own transaction): under managed locks (MANAGED) or the statement's own row locks (FOR_UPDATE_GROUPED).
         */
        public boolean grouped() {
            return !serializable && (managedLocks || mode == LockMode.FOR_UPDATE_GROUPED);
        }
    }

    private final LockMode global;
    private final Map<DocumentType, Plan> plans = new EnumMap<>(DocumentType.class);

    public LockPolicy(LockMode global, Map<String, LockMode> typeModes, Map<String, LockMode> registerModes) {
        this.global = global;
        List<String> errors = new ArrayList<>();
        for (String type : typeModes.keySet()) {
            if (!DocumentType.names().contains(type)) {
                errors.add(
                        "posting.document-type-lock-mode." + type + ": no such document type " + DocumentType.names());
            }
        }
        for (String register : registerModes.keySet()) {
            if (!Set.of(STOCK, SALES).contains(register)) {
                errors.add("posting.register-lock-mode." + register + ": no such register [Stock, Sales]");
            }
        }
        typeModes.forEach((k, v) -> requireSimple("posting.document-type-lock-mode." + k, v, errors));
        registerModes.forEach((k, v) -> requireSimple("posting.register-lock-mode." + k, v, errors));
        for (DocumentType type : DocumentType.values()) {
            plans.put(type, plan(type, typeModes, registerModes, errors));
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("Invalid lock control configuration: " + String.join("; ", errors));
        }
    }

    private Plan plan(
            DocumentType type,
            Map<String, LockMode> typeModes,
            Map<String, LockMode> registerModes,
            List<String> errors) {
        switch (global) {
            case MANAGED:
                return new Plan(LockMode.MANAGED, false, true, false);
            case AUTOMATIC:
                return new Plan(LockMode.AUTOMATIC, true, false, false);
            case FOR_UPDATE:
                return new Plan(LockMode.FOR_UPDATE, false, false, true);
            case FOR_UPDATE_GROUPED:
                return new Plan(LockMode.FOR_UPDATE_GROUPED, false, false, true);
            default:
                break;
        }
        LockMode outer = typeModes.getOrDefault(type.name(), LockMode.MANAGED);
        if (outer == LockMode.AUTOMATIC) {
            // Automatic outside wins over managed inside. It still takes EXCLUSIVE managed locks on the
            // Stock rows it writes, so a managed posting and an automatic one never both pass the check.
            return new Plan(LockMode.AUTOMATIC, true, true, false);
        }
        for (String register : registersOf(type)) {
            if (registerModes.getOrDefault(register, LockMode.MANAGED) == LockMode.AUTOMATIC) {
                errors.add("document type " + type + " posts in MANAGED lock mode but register " + register
                        + " it writes is AUTOMATIC: a managed transaction cannot contain an automatic one"
                        + " (set posting.document-type-lock-mode." + type + "=AUTOMATIC or posting.register-lock-mode."
                        + register + "=MANAGED)");
            }
        }
        return new Plan(LockMode.MANAGED, false, true, false);
    }

    private static void requireSimple(String key, LockMode mode, List<String> errors) {
        if (mode != LockMode.MANAGED && mode != LockMode.AUTOMATIC) {
            errors.add(key + " must be MANAGED or AUTOMATIC, not " + mode);
        }
    }

    /** The registers a document type writes. */
    public static List<String> registersOf(DocumentType type) {
        return type == DocumentType.SHIPMENT ? List.of(STOCK, SALES) : List.of(STOCK);
    }

    public LockMode global() {
        return global;
    }

    public Plan plan(DocumentType type) {
        return plans.get(type);
    }
}
