package io.suite.writeguard;

import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import io.quarkus.logging.LoggingFilter;

/**
 * quarkus-resteasy-problem logs every 5xx at ERROR with a stack trace. A write refused by the
 * read-only rule is a 503 that maintenance produces by design, thousands of times a window: this
 * filter turns each into one INFO line (the message keeps type, reason, epoch and refusal), so that
 * ERROR stays a signal. Enabled per service with {@code quarkus.log.console.filter=read-only-refusals}.
 */
@LoggingFilter(name = "read-only-refusals")
public final class ReadOnlyRefusalLogFilter implements Filter {
    @Override
    public boolean isLoggable(LogRecord record) {
        if (record.getThrown() instanceof ReadOnlyException && record.getLevel().intValue() > Level.INFO.intValue()) {
            record.setLevel(Level.INFO);
            record.setThrown(null);
        }
        return true;
    }
}
