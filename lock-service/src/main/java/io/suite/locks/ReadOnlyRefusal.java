package io.suite.locks;

/** The script refused EXCLUSIVE items to a transaction begun in read-only mode; the guard words the answer. */
final class ReadOnlyRefusal extends RuntimeException {
    ReadOnlyRefusal() {
        super("read-only", null, false, false);
    }
}
