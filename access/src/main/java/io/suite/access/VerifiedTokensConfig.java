package io.suite.access;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long and how many verified bearer tokens {@link VerifiedTokens} remembers. */
@ConfigMapping(prefix = "access.verified-tokens")
public interface VerifiedTokensConfig {
    /** At most this long (never past a token's exp); 0 verifies every request's token anew. */
    @WithDefault("60s")
    Duration maxAge();

    /** At most this many tokens (the least used go first). */
    @WithDefault("1000")
    int maxSize();
}
