package io.suite.backup;

import io.quarkus.test.junit.QuarkusTest;
import io.suite.testing.ServiceSmokeTest;

@QuarkusTest
class SmokeTest extends ServiceSmokeTest {
    @Override
    protected String apiPath() {
        return "/v1/backups";
    }
}
