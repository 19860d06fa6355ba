package io.suite.posting.locking;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.suite.posting.PostingConfig;

/** Builds the {@link LockPolicy} from config at start-up: a bad nesting stops the service there. */
@ApplicationScoped
public class LockPolicyProducer {
    private static final Logger LOG = Logger.getLogger(LockPolicyProducer.class);

    @Produces
    @Singleton
    LockPolicy policy(PostingConfig config) {
        return new LockPolicy(config.lockMode(), config.documentTypeLockMode(), config.registerLockMode());
    }

    void validate(@Observes StartupEvent event, LockPolicy policy) {
        LOG.infof("posting lock control mode: %s", policy.global());
    }
}
