package io.suite.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each service's OpenAPI document, as its build stored it (quarkus.smallrye-openapi.store-schema-directory),
 * passes Redocly's recommended rules with no error (issue #18: no security scheme, empty servers and
 * operations without 4xx answers were errors). Redocly CLI comes from deploy-tests/tools (npm ci, pinned).
 */
class OpenApiLintIT {
    static final List<String> SERVICES =
            List.of("lock-service", "posting-service", "maintenance-service", "backup-service");

    @Test
    void everyDocumentPassesRedoclysRecommendedRules() {
        Path redocly = Repo.path("deploy-tests/tools/node_modules/.bin/redocly");
        assertTrue(
                Files.isExecutable(redocly),
                redocly + " is missing: run `npm ci --prefix deploy-tests/tools`" + " (./suite test does)");
        List<String> command = Command.of(redocly.toString(), "lint", "--format=stylish");
        for (String service : SERVICES) {
            Path doc = Repo.path(service + "/target/openapi/openapi.yaml");
            assertTrue(Files.isRegularFile(doc), doc + " is missing: package " + service + " first");
            command.add(doc.toString());
        }
        Command lint = Command.run(Duration.ofMinutes(2), command);
        assertEquals(0, lint.exitCode(), "redocly lint found errors:\n" + lint.describe());
    }
}
