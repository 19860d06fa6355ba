package io.suite.access;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.runtime.OidcIdentityProvider;
import io.quarkus.oidc.runtime.OidcUtils;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

/**
 * Remembers who a bearer token is once quarkus-oidc has verified it, so that a caller's requests do not verify
 * the same token again and again: the signature, then the claims parsed three times, were the largest part of a
 * lock call's CPU (bench/README.md "What authentication costs"). Only what quarkus-oidc let through is
 * remembered, by the whole token and the OIDC tenant that checked it: a token that differs in one character
 * (forged, {@code alg: none}, garbage) is not found and is verified, and refused, as before. An entry goes after
 * {@code access.verified-tokens.max-age} (60 s: a key the provider withdrew is honoured no longer than that)
 * and never outlives the token's {@code exp}; at most {@code max-size} entries. ID tokens of the code flow (the
 * lock monitor's session) are not remembered here.
 */
@ApplicationScoped
public class VerifiedTokens implements IdentityProvider<TokenAuthenticationRequest> {
    /** A token verified, and until when (epoch ms: its exp, or sooner) it may be believed without checking. */
    record Verified(SecurityIdentity identity, long untilMs) {}

    /** The tenant that checked it is part of the key: another tenant may trust other issuers or roles. */
    record Key(String tenant, String token) {}

    private final OidcIdentityProvider oidc;
    private final long maxAgeMs;
    private final Cache<Key, Verified> verified;

    VerifiedTokens(OidcIdentityProvider oidc, VerifiedTokensConfig config) {
        this.oidc = oidc;
        this.maxAgeMs = config.maxAge().toMillis();
        this.verified = Caffeine.newBuilder()
                .maximumSize(config.maxSize())
                .expireAfter(
                        Expiry.creating((Key k, Verified v) -> Duration.ofMillis(Math.max(0, v.untilMs() - now()))))
                .build();
    }

    /** Before quarkus-oidc's own provider, which it asks for every token it does not know. */
    @Override
    public int priority() {
        return SYSTEM_FIRST + 100;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
        String tenant = rc == null ? null : rc.get(OidcUtils.TENANT_ID_ATTRIBUTE);
        if (maxAgeMs <= 0 || tenant == null || !(request.getToken() instanceof AccessTokenCredential)) {
            return Uni.createFrom().nullItem(); // quarkus-oidc's provider, next in line, decides
        }
        Key key = new Key(tenant, request.getToken().getToken());
        Verified known = verified.getIfPresent(key);
        if (known != null && now() < known.untilMs()) {
            // the identity as quarkus-oidc built it, tied to this request instead of the first one
            return Uni.createFrom()
                    .item(QuarkusSecurityIdentity.builder(known.identity())
                            .addAttribute(RoutingContext.class.getName(), rc)
                            .addAttribute(AuthenticationRequestContext.class.getName(), context)
                            .build());
        }
        return oidc.authenticate(request, context).invoke(identity -> remember(key, identity));
    }

    private void remember(Key key, SecurityIdentity identity) {
        if (identity != null && identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getExpirationTime() > 0) {
            long until = Math.min(jwt.getExpirationTime() * 1000, now() + maxAgeMs);
            if (until > now()) {
                // kept as built (with its permission checks); each hit gets its own request's context
                verified.put(key, new Verified(identity, until));
            }
        }
    }

    private static long now() {
        return System.currentTimeMillis();
    }
}
