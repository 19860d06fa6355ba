package io.suite.testing;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;

/**
 * What each call of a service's REST client carried, seen after the OIDC client filter ({@code AUTHENTICATION}) put
 * its token in: a test adds it to the client under test ({@code quarkus.rest-client.<client>.providers}) to prove
 * the service's own token is sent and renewed before it expires.
 */
@Priority(Priorities.USER)
public class SentTokens implements ClientRequestFilter {
    /** One call: its bearer token (null when it had none) and when it went out. */
    public record Sent(String token, Instant at) {
        /** The token's user. */
        public String principal() {
            return Tokens.claims(token).path("preferred_username").asText();
        }

        /** Its {@code exp} (whole seconds) was still ahead when it went out. */
        public boolean unexpired() {
            return Instant.ofEpochSecond(Tokens.claims(token).path("exp").asLong())
                    .isAfter(at);
        }
    }

    private static final List<Sent> SENT = new CopyOnWriteArrayList<>();

    public static List<Sent> sent() {
        return List.copyOf(SENT);
    }

    /** How many different tokens the calls so far carried. */
    public static int distinctTokens() {
        return (int) SENT.stream()
                .map(Sent::token)
                .filter(Objects::nonNull)
                .distinct()
                .count();
    }

    @Override
    public void filter(ClientRequestContext request) {
        String auth = request.getHeaderString("Authorization");
        SENT.add(new Sent(auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null, Instant.now()));
    }
}
