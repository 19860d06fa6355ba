package io.suite.locks;

import java.util.SortedMap;

/**
 * One normalised lock item: a space, a mode and conditions by field (sorted; a field not named
 * means every value, no fields means the whole space). {@link #canonical()} is its identity in
 * Redis: equal items have equal canonical JSON.
 */
public record LockItem(String space, Mode mode, SortedMap<String, Condition> fields, String canonical) {

    /** Every condition an equality: then items of the same shape conflict only on equal canonical JSON. */
    public String shape() {
        if (fields.isEmpty()) {
            return "*";
        }
        for (Condition c : fields.values()) {
            if (!(c instanceof Condition.Equals)) {
                return "*";
            }
        }
        return "=" + String.join("\u001f", fields.keySet());
    }

    public boolean wholeSpace() {
        return fields.isEmpty();
    }

    @Override
    public String toString() {
        return space + " " + mode + " " + canonical;
    }
}
