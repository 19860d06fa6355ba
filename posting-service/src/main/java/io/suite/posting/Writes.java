package io.suite.posting;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;

/**
 * Write statements sent to PostgreSQL as one: each becomes a data-modifying CTE of a single
 * statement, so a posting's movements, totals, outbox row and idempotency answer cost one round
 * trip, not one each. The parts run on one snapshot and cannot see each other's rows, so they must
 * touch different rows (a delete and an insert of the same rows need two statements).
 */
public final class Writes {
    /** PostgreSQL takes at most 65535 parameters a statement: beyond this, parts go in another one. */
    static final int MAX_PARAMETERS = 30_000;
    /** The most {@link #runAsOne} can send. */
    public static final int MAX_ONE_STATEMENT_PARAMETERS = 65_535;

    private static final Pattern PARAMETER = Pattern.compile("\\?(\\d+)");

    /** {@code name}: null, or what later parts call this part's RETURNING rows. */
    private record Part(String name, String sql, List<?> parameters) {}

    private final List<Part> parts = new ArrayList<>();

    /** A write whose SQL numbers its own parameters {@code ?1..?n}. */
    public Writes add(String sql, List<?> parameters) {
        parts.add(new Part(null, sql, parameters));
        return this;
    }

    /** A write whose RETURNING rows later parts read as the table {@code name}: only with {@link #runAsOne}. */
    public Writes add(String name, String sql, List<?> parameters) {
        parts.add(new Part(name, sql, parameters));
        return this;
    }

    public int parameters() {
        return parts.stream().mapToInt(p -> p.parameters().size()).sum();
    }

    /**
     * Runs every part as one statement, outside any transaction: the statement is the transaction,
     * so it writes all of its parts or none, and COMMIT costs no round trip of its own.
     */
    public Uni<Void> runAsOne(Mutiny.Session s) {
        if (parameters() > MAX_ONE_STATEMENT_PARAMETERS) {
            throw new IllegalStateException(parameters() + " parameters do not fit one statement");
        }
        // the parts are kept: a statement that wrote nothing may be sent again
        return parts.isEmpty() ? Uni.createFrom().voidItem() : asCte(s, parts);
    }

    /** Runs every part, in as few statements as the parameter limit allows. */
    public Uni<Void> run(Mutiny.Session s) {
        List<List<Part>> statements = new ArrayList<>();
        List<Part> current = new ArrayList<>();
        int count = 0;
        for (Part p : parts) {
            if (!current.isEmpty() && count + p.parameters().size() > MAX_PARAMETERS) {
                statements.add(current);
                current = new ArrayList<>();
                count = 0;
            }
            current.add(p);
            count += p.parameters().size();
        }
        if (!current.isEmpty()) {
            statements.add(current);
        }
        if (statements.size() > 1 && parts.stream().anyMatch(p -> p.name() != null)) {
            throw new IllegalStateException(
                    "a named part must share its statement with the parts that read it: runAsOne");
        }
        parts.clear();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (List<Part> statement : statements) {
            chain = chain.chain(() -> execute(s, statement));
        }
        return chain;
    }

    private static Uni<Void> execute(Mutiny.Session s, List<Part> statement) {
        if (statement.size() == 1) {
            return Db.update(s, statement.get(0).sql(), statement.get(0).parameters())
                    .replaceWithVoid();
        }
        return asCte(s, statement);
    }

    private static Uni<Void> asCte(Mutiny.Session s, List<Part> statement) {
        StringBuilder sql = new StringBuilder("WITH ");
        List<Object> parameters = new ArrayList<>();
        for (int i = 0; i < statement.size(); i++) {
            Part p = statement.get(i);
            sql.append(i == 0 ? "" : ", ")
                    .append(p.name() != null ? p.name() : "w" + i)
                    .append(" AS (")
                    .append(renumber(p.sql(), parameters.size()))
                    .append(')');
            parameters.addAll(p.parameters());
        }
        return Db.rows(s, sql.append(" SELECT 1").toString(), parameters).replaceWithVoid();
    }

    /** {@code ?n} becomes {@code ?(n + offset)}: a part's parameters follow those of the parts before it. */
    static String renumber(String sql, int offset) {
        if (offset == 0) {
            return sql;
        }
        Matcher m = PARAMETER.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, "?" + (Integer.parseInt(m.group(1)) + offset));
        }
        m.appendTail(out);
        return out.toString();
    }
}
