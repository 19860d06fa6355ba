package io.suite.posting;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

/** Native SQL in the current Hibernate Reactive session (register writes, views, outbox). */
public final class Db {
    private Db() {}

    public static Uni<Integer> update(Mutiny.Session s, String sql, List<?> params) {
        Mutiny.Query<Object> q = s.createNativeQuery(sql);
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q.executeUpdate();
    }

    /** Rows as Object[] (a one-column result is wrapped too). */
    public static Uni<List<Object[]>> rows(Mutiny.Session s, String sql, List<?> params) {
        Mutiny.SelectionQuery<Object> q = s.createNativeQuery(sql, Object.class);
        for (int i = 0; i < params.size(); i++) {
            q.setParameter(i + 1, params.get(i));
        }
        return q.getResultList().map(list -> {
            List<Object[]> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(o instanceof Object[] a ? a : new Object[] {o});
            }
            return out;
        });
    }

    /** {@code (?f,?f+1,..),(..)}: {@code rows} tuples of {@code cols} ordinal parameters from {@code first}. */
    public static String tuples(int rows, int cols, int first) {
        StringBuilder sb = new StringBuilder();
        int p = first;
        for (int r = 0; r < rows; r++) {
            sb.append(r == 0 ? "(" : ",(");
            for (int c = 0; c < cols; c++) {
                sb.append(c == 0 ? "?" : ",?").append(p++);
            }
            sb.append(')');
        }
        return sb.toString();
    }

    /** A serialization failure (40001) or deadlock (40P01): the transaction may simply run again. */
    public static boolean retryable(Throwable e) {
        String state = sqlState(e);
        return "40001".equals(state) || "40P01".equals(state);
    }

    /** The constraint a PostgreSQL error names, anywhere in the cause chain, or null. */
    public static String constraint(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PgException pg) {
                return pg.getConstraint();
            }
            if (c instanceof ConstraintViolationException cv) {
                return cv.getConstraintName();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /** The SQLSTATE of a PostgreSQL error anywhere in the cause chain, or null. */
    public static String sqlState(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PgException pg) {
                return pg.getSqlState();
            }
            // Hibernate Reactive reports PostgreSQL errors as java.sql.SQLException
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }
}
