package io.suite.posting.locking;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;

import io.suite.testing.Tokens;

/**
 * What each call to lock-service carried, seen after the OIDC client filter ({@code AUTHENTICATION}) put its token
 * in: a test profile adds it to the lock-service client ({@code quarkus.rest-client.lock-service.providers}).
 */
@Priority(Priorities.USER)
public class SentTokens implements ClientRequestFilter {
    /** One call: its bearer token (null when it had none) and when it went out. */
    public record Sent(String token, Instant at) {
        /** The token's user; its {@code exp} (whole seconds) is still ahead. */
        public String principal() {
            return Tokens.claims(token).path("preferred_username").asText();
        }

        public boolean unexpired() {
            return Instant.ofEpochSecond(Tokens.claims(token).path("exp").asLong())
                    .isAfter(at);
        }
    }

    private static final List<Sent> SENT = new CopyOnWriteArrayList<>();

    public static List<Sent> sent() {
        return List.copyOf(SENT);
    }

    @Override
    public void filter(ClientRequestContext request) {
        String auth = request.getHeaderString("Authorization");
        SENT.add(new Sent(auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null, Instant.now()));
    }
}
