package io.suite.posting.registers;

/**
 * Fencing of the Stock balances, the only place it is decided: the holder of a grant with fencing
 * token {@code t} may write a row only when no later grant has written it ({@code stock_balances.fencing_token
 * <= t}). A holder whose lease ran out (its lock freed and granted again, with a larger token, to someone who
 * has written since) writes nothing: 409 lock-lost.
 */
public final class FencingRule {
    private FencingRule() {}

    public static boolean admits(long rowToken, long holderToken) {
        return rowToken <= holderToken;
    }

    /** The rule as a SQL condition over the SQL expressions {@code rowToken} and {@code holderToken}. */
    public static String admits(String rowToken, String holderToken) {
        return rowToken + " <= " + holderToken;
    }
}
