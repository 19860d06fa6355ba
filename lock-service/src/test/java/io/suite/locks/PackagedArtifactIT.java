package io.suite.locks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.suite.testing.Management;
import io.suite.testing.ServiceSmokeTest;
import io.suite.testing.Unique;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

/**
 * The packaged artifact as it ships (target/quarkus-app, or the native executable where GraalVM builds one with
 * -Dnative): it starts, is ready on the real Redis and Kafka (health and metrics on its management interface), and takes and releases a lock, which runs
 * locks.lua, read from the classpath (a native image has it only through quarkus.native.resources.includes).
 * Its state topics and READ_WRITE come from WritableStateTopics, the module's test resource for every test.
 */
@QuarkusIntegrationTest
@TestProfile(PackagedArtifactIT.OwnKeys.class)
@QuarkusTestResource(value = Management.class, restrictToAnnotatedClass = true)
class PackagedArtifactIT {
    /** This run's own Redis keys (the artifact runs with the prod profile). */
    public static class OwnKeys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("lock.key-prefix", "locktest-" + Unique.name("pkg") + ":");
        }
    }

    @Test
    void isReadyAndServesMetricsAndItsApi() {
        ServiceSmokeTest.assertServes("locks_held", "/v1/lock-transactions");
    }

    @Test
    void takesAndReleasesALockThroughLocksLua() {
        String space = Unique.name("Stock");
        Api api = Api.local();
        AtomicReference<Api.Tx> began = new AtomicReference<>();
        // the write guard holds writes back until it has heard READ_WRITE
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> {
                    if (began.get() == null) {
                        began.set(api.begin("packaged"));
                    }
                    api.lockItem(began.get(), 0, Api.item(space, "EXCLUSIVE", "{\"w\":\"W1\"}"))
                            .then()
                            .statusCode(200);
                });
        Api.Tx tx = began.get();
        api.locks(space).then().statusCode(200).body("locks[0].transaction", equalTo(tx.id()));
        api.end(tx).then().statusCode(204);
    }
}
