package io.suite.maintenance.fence;

import java.util.regex.Pattern;

/**
 * The PostgreSQL roles of one service: {@code app} serves (LOGIN), {@code writer} (NOLOGIN) holds
 * the right to write and is granted to {@code app}. Configured as {@code <app>:<writer>}.
 */
public record FenceRoles(String app, String writer) {
    private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_$]{0,62}");

    public static FenceRoles parse(String service, String configured) {
        String[] parts = configured.trim().split(":", -1);
        if (parts.length != 2
                || !ROLE.matcher(parts[0]).matches()
                || !ROLE.matcher(parts[1]).matches()) {
            throw new IllegalArgumentException(
                    "maintenance.fence.roles.\"" + service + "\" must be <app role>:<writer role>"
                            + " (lower-case PostgreSQL names), not '" + configured + "'");
        }
        return new FenceRoles(parts[0], parts[1]);
    }

    /** A role name as a quoted SQL identifier (names are checked by {@link #parse}; quoting keeps it exact). */
    static String quoted(String role) {
        return '"' + role.replace("\"", "\"\"") + '"';
    }
}
