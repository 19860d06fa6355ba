package io.suite.maintenance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.interceptor.Interceptor;
import jakarta.persistence.LockModeType;
import jakarta.validation.Validator;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.quarkus.vertx.http.HttpServerStart;
import io.smallrye.mutiny.Uni;

/**
 * The first flip after a start answered in over a second (bench: 1.3 s for its 202, warm flips about
 * 100 ms): its request body was the first read by Jackson and checked by Hibernate Validator, its UPDATE
 * of the state row and INSERT of a history row the first Hibernate Reactive built and PostgreSQL prepared,
 * its answer the first view written, and the outbox's
 * HQL update after the send the first parsed. At start-up (after {@link Maintenance#start}) this rehearses them
 * once: a read-only request read and validated, the flip's statements run in a transaction that is always
 * rolled back (nothing changes, nothing is published), and the state's view written.
 * <p>
 * That left the request itself: the bench's first flip still spent 1.7-2.7 s (on a busy machine) before
 * {@link Maintenance#change} began, loading and running for the first time the HTTP routing, the token
 * filters and quarkus-oidc's verification (a flight recording showed the event loop loading classes and
 * checking the RSA signature). Once the HTTP server listens, a GET of the state with a token that cannot pass
 * (the realm's key id, a signature of zeros) goes that way once: it is refused 401 like any forged token.
 */
@ApplicationScoped
public class FlipRehearsal {
    private static final Logger LOG = Logger.getLogger(FlipRehearsal.class);

    private final ObjectMapper json;
    private final Validator validator;
    private final MaintenanceResource resource;
    private volatile boolean rehearsed;

    FlipRehearsal(ObjectMapper json, Validator validator, MaintenanceResource resource) {
        this.json = json;
        this.validator = validator;
        this.resource = resource;
    }

    private volatile boolean requestRehearsed;

    /** Whether the first request was rehearsed: sent, and refused 401 as a forged token must be. */
    boolean requestRehearsed() {
        return requestRehearsed;
    }

    /** Whether the start-up rehearsal went through to its end. */
    boolean rehearsed() {
        return rehearsed;
    }

    /** The failure that rolls the rehearsal back. */
    private static final class RolledBack extends RuntimeException {
        RolledBack() {
            super("rehearsal rolled back", null, false, false);
        }
    }

    void rehearse(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent event) {
        long start = System.nanoTime();
        try {
            Requests.ReadOnly body = json.readValue(
                    "{\"reason\":\"rehearsal\",\"durationMs\":60000,\"drainTimeoutMs\":1000}", Requests.ReadOnly.class);
            validator.validate(body);
            VertxContextSupport.subscribeAndAwait(() -> Panache.withTransaction(() -> StateRow.<StateRow>findById(
                                    StateRow.ID, LockModeType.PESSIMISTIC_WRITE)
                            .chain(row -> {
                                MaintenanceState cur = row.toState();
                                Transition t = cur.readOnly()
                                        ? Transitions.readWrite(
                                                        cur, "rehearsal", null, true, "rehearsal", Instant.now())
                                                .orElseThrow()
                                        : Transitions.readOnly(
                                                cur,
                                                "rehearsal",
                                                Duration.ofMinutes(1),
                                                Duration.ofSeconds(1),
                                                null,
                                                "rehearsal",
                                                Instant.now());
                                row.set(t.next());
                                return HistoryRow.of(t)
                                        .persist()
                                        .call(Panache::flush)
                                        .chain(() ->
                                                StateRow.markPublished(t.next().version()));
                            })
                            .chain(() -> Uni.createFrom().failure(new RolledBack())))
                    .onFailure(RolledBack.class)
                    .recoverWithNull());
            // not resource.get(): its role check refuses a call that comes from no request
            json.writeValueAsString(resource.currentView());
            rehearsed = true;
            LOG.infof("first flip rehearsed (rolled back) in %d ms", (System.nanoTime() - start) / 1_000_000);
        } catch (Throwable e) {
            // only a warm-up: the first flip is slower, nothing else
            LOG.warnf("first flip not rehearsed: %s", e.toString());
        }
    }

    /** Fired asynchronously once the HTTP server listens: a worker thread that may block. */
    void rehearseRequest(@ObservesAsync HttpServerStart start) {
        long begin = System.nanoTime();
        try {
            HttpClient http = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            int port = start.options().getPort() > 0
                    ? start.options().getPort()
                    : ConfigProvider.getConfig()
                            .getValue(
                                    LaunchMode.current() == LaunchMode.TEST
                                            ? "quarkus.http.test-port"
                                            : "quarkus.http.port",
                                    Integer.class);
            HttpResponse<Void> answer = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/maintenance"))
                            .header("Authorization", "Bearer " + unverifiableToken(http))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.discarding());
            requestRehearsed = answer.statusCode() == 401;
            LOG.infof(
                    "first request rehearsed (a token that cannot pass, answered %d) in %d ms",
                    answer.statusCode(), (System.nanoTime() - begin) / 1_000_000);
        } catch (Exception e) {
            LOG.warnf("first request not rehearsed: %s", e.toString());
        }
    }

    /**
     * A token in the realm's form, naming its signing key, so that quarkus-oidc goes as far as checking the
     * signature; the signature is zeros, so it never passes.
     */
    private String unverifiableToken(HttpClient http) throws Exception {
        String issuer = ConfigProvider.getConfig().getValue("quarkus.oidc.auth-server-url", String.class);
        ObjectNode header = json.createObjectNode().put("alg", "RS256").put("typ", "JWT");
        JsonNode discovery = getJson(http, issuer + "/.well-known/openid-configuration");
        for (JsonNode key : getJson(http, discovery.get("jwks_uri").asText()).path("keys")) {
            if ("sig".equals(key.path("use").asText("sig"))
                    && "RSA".equals(key.path("kty").asText())) {
                header.put("kid", key.path("kid").asText());
                break;
            }
        }
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = json.createObjectNode()
                .put("iss", issuer)
                .put("sub", "flip-rehearsal")
                .put("preferred_username", "flip-rehearsal")
                .put("iat", now)
                .put("exp", now + 60);
        claims.putObject("realm_access").putArray("roles").add("reader");
        return base64(json.writeValueAsBytes(header)) + "." + base64(json.writeValueAsBytes(claims)) + "."
                + base64(new byte[256]);
    }

    private JsonNode getJson(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return json.readTree(r.body());
    }

    private static String base64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
