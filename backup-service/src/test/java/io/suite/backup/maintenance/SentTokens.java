package io.suite.backup.maintenance;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;

/**
 * The bearer token each call to maintenance-service went out with, after the OIDC client filter
 * ({@code AUTHENTICATION}) put it in: SuiteUnderBackup adds it to {@link MaintenanceClient}.
 */
@Priority(Priorities.USER)
public class SentTokens implements ClientRequestFilter {
    /** One call: its bearer token (null when it had none) and when it went out. */
    public record Sent(String token, Instant at) {}

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
