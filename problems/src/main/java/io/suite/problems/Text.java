package io.suite.problems;

/**
 * The rule for text the suite stores or shows: well-formed Unicode (no lone surrogate, which no
 * database stores as given), no NUL (PostgreSQL cannot store it) and no other control character.
 * Free text ({@link #prose}) may hold tabs and line breaks; names ({@link #name}) may not.
 * Each check answers null when the value is fine, else what is wrong with it.
 */
public final class Text {
    private Text() {}

    /** Free text (a reason, a label) of at most {@code max} characters. */
    public static String prose(String value, int max) {
        return check(value, max, true);
    }

    /** A name or code (an item, a warehouse, a space) of at most {@code max} characters. */
    public static String name(String value, int max) {
        return check(value, max, false);
    }

    /** Only the characters, any length: what the JSON reader and the query-parameter filter enforce everywhere. */
    public static String characters(String value) {
        return check(value, Integer.MAX_VALUE, true);
    }

    private static String check(String value, int max, boolean lineBreaks) {
        if (value == null) {
            return null;
        }
        if (value.length() > max) {
            return "must be at most " + max + " characters";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0) {
                return "must not contain NUL (\\u0000)";
            }
            if (Character.isISOControl(c) && !(lineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
                return String.format("must not contain control characters (\\u%04x at %d)", (int) c, i);
            }
            if (Character.isHighSurrogate(c)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return String.format("must be well-formed Unicode (lone surrogate \\u%04x at %d)", (int) c, i);
            }
        }
        return null;
    }
}
