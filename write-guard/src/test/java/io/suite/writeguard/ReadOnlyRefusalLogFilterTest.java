package io.suite.writeguard;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadOnlyRefusalLogFilterTest {
    private final ReadOnlyRefusalLogFilter filter = new ReadOnlyRefusalLogFilter();

    @Test
    void aReadOnlyRefusalLoggedAsAnErrorBecomesOneInfoLine() {
        LogRecord record = new LogRecord(Level.SEVERE, "status=503, title=\"Service is read-only\"");
        record.setThrown(new ReadOnlyException(Refusal.READ_ONLY, "backup", 7, 5));
        assertTrue(filter.isLoggable(record));
        assertEquals(Level.INFO, record.getLevel());
        assertNull(record.getThrown());
    }

    @Test
    void otherErrorsStayErrorsWithTheirStackTrace() {
        IllegalStateException failure = new IllegalStateException("boom");
        LogRecord record = new LogRecord(Level.SEVERE, "status=500");
        record.setThrown(failure);
        assertTrue(filter.isLoggable(record));
        assertEquals(Level.SEVERE, record.getLevel());
        assertSame(failure, record.getThrown());
    }
}
