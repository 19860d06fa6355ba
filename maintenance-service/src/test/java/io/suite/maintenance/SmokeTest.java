package io.suite.maintenance;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.suite.testing.ServiceSmokeTest;

@QuarkusTest
@TestProfile(UniqueMaintenance.class)
class SmokeTest extends ServiceSmokeTest {
    @Override
    protected String apiPath() {
        return "/v1/maintenance";
    }
}
