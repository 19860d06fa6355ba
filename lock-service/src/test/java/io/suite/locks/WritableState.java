package io.suite.locks;

import io.quarkus.test.common.QuarkusTestResource;
import io.suite.testing.WritableStateTopics;

/**
 * Every @QuarkusTest of this module follows its own state topic on which READ_WRITE was published
 * before the app started (an empty topic means "state unknown": writes refused), with a lease as
 * long as the run (nobody confirms the state here). ReadOnlyTest publishes its flips on the same topic.
 * This overrides the {@code %test.write-guard.*} topics of application.properties.
 */
@QuarkusTestResource(WritableStateTopics.class)
final class WritableState {
    private WritableState() {}
}
