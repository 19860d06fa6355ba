package io.suite.posting;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packages of posting-service in layers, bottom first: a class uses its own package and the ones
 * below it, never one above (imports and fully qualified names alike). The posting README's package
 * table follows this order.
 */
class PackageLayersTest {
    static final List<String> LAYERS = List.of(
            "model", // the document and its parts: nothing of the service
            "", // io.suite.posting: SQL, config, metrics, problems, outages
            "registers", // Stock and Sales in SQL, the balance and fencing rules
            "events", // the outbox
            "locking", // lock-service, the lock modes, which postings go together
            "documents", // the API and the posting path: plan, idempotency keys, engine, grouped posting
            "runs"); // posting runs

    private static final Path SOURCES = Path.of("src/main/java/io/suite/posting");
    private static final Pattern REFERENCE = Pattern.compile("io\\.suite\\.posting\\.(?:([a-z]+)\\.)?[A-Z]");

    @Test
    void noClassUsesAPackageAboveItsOwn() throws IOException {
        List<String> upward = new ArrayList<>();
        TreeSet<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path dir = SOURCES.relativize(file).getParent();
                String own = dir == null ? "" : dir.toString();
                packages.add(own);
                Matcher m = REFERENCE.matcher(Files.readString(file));
                while (m.find()) {
                    String used = m.group(1) == null ? "" : m.group(1);
                    if (LAYERS.indexOf(used) > LAYERS.indexOf(own)) {
                        upward.add(SOURCES.relativize(file) + " uses io.suite.posting"
                                + (used.isEmpty() ? "" : "." + used));
                    }
                }
            }
        }
        assertTrue(packages.size() >= LAYERS.size(), "sources found in " + SOURCES.toAbsolutePath());
        assertEquals(new TreeSet<>(LAYERS), packages, "every package has its place in LAYERS");
        assertEquals(List.of(), upward);
    }
}
