package io.suite.backup.dumps;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Evidence that nothing was written to a database: for every table, the number of visible rows and the sum
 * of their {@code xmin} (the id of the transaction that wrote each row version). Any committed INSERT or
 * UPDATE brings a row version with a new xmin, any DELETE removes one, so a committed write between two
 * fingerprints changes the table's pair. Unlike pg_stat_database counters it is exact and immediate, and
 * unlike the cluster-wide xid counter it is per database (other databases on the server go on writing).
 * The database-wide counters are recorded beside it for the reader, not compared.
 */
public record Fingerprint(Map<String, Table> tables, Map<String, Long> stats) {

    public record Table(long rows, String xminSum) {}

    /** Tables whose fingerprint differs, appeared or disappeared; empty when nothing was written. */
    public List<String> changesTo(Fingerprint later) {
        List<String> changed = new ArrayList<>();
        TreeSet<String> names = new TreeSet<>(tables.keySet());
        names.addAll(later.tables.keySet());
        for (String name : names) {
            if (!Objects.equals(tables.get(name), later.tables.get(name))) {
                changed.add(name);
            }
        }
        return changed;
    }
}
