package io.suite.access;

/**
 * The realm roles of DESIGN.md "Security", the only place they are spelled. Every role includes
 * {@link #READER} and {@link #ADMIN} includes {@link #OPERATOR}: the realm makes them composite, so a token
 * carries all its effective roles and an endpoint names just the least role it needs.
 */
public final class Roles {
    /** Every GET, the monitor page and its stream. */
    public static final String READER = "reader";
    /** Lock transactions. */
    public static final String LOCK_CLIENT = "lock-client";
    /** Documents: create, post, unpost. */
    public static final String CLERK = "clerk";
    /** Maintenance flips, backups, posting runs. */
    public static final String OPERATOR = "operator";
    /** Restore and {@code "force":true}. */
    public static final String ADMIN = "admin";

    private Roles() {}
}
