package ai.agency.common.security;

import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How a service checks its callers.
 *
 * @param jwksUri where auth-service publishes its signing keys
 * @param issuer the {@code iss} every access token carries: the platform's public URL (auth-service issues it, every
 *     service checks it)
 * @param audience the {@code aud} every access token carries and every service requires
 * @param publicPaths paths anyone may call (besides health, info, prometheus and the OpenAPI documents)
 * @param protectedPaths paths that need a valid token; anything matching neither list is open (so unknown paths
 *     answer 404, not 401)
 * @param readOnlyPosts POST paths that only read (a search, an analysis, a WebSocket ticket): they need the
 *     {@code read} scope, not {@code write} (see {@link ScopeRule})
 * @param tokenCache how many verified access tokens are remembered, and for how long (see {@link CachingJwtDecoder})
 * @param revocation how the service learns of revoked credentials (see {@link RevocationFeed})
 * @param keySet how long auth-service's signing keys are cached, and used while it cannot be reached
 */
@Validated
@ConfigurationProperties("agency.security")
public record AgencySecurityProperties(
        @DefaultValue("http://localhost:8081/.well-known/jwks.json") @NotBlank
        String jwksUri,

        @DefaultValue("http://localhost:8080") @NotBlank String issuer,
        @DefaultValue("agency") @NotBlank String audience,
        @DefaultValue({}) List<String> publicPaths,
        @DefaultValue("/**") List<String> protectedPaths,

        @DefaultValue({
            "/api/v1/memories/search",
            "/api/v1/analyze",
            "/api/v1/analyze/**",
            "/api/v1/auth/ws-ticket",
            "/api/v1/audit/events",
            "/mcp",
            "/mcp/**"
        })
        List<String> readOnlyPosts,

        @DefaultValue TokenCache tokenCache,
        @DefaultValue Revocation revocation,
        @DefaultValue KeySet keySet) {

    /**
     * The cache of auth-service's JWK set.
     *
     * @param cacheTtl how long a fetched key set is used before it is fetched again (a token naming an unknown key
     *     fetches it at once)
     * @param outageTolerance how long the last key set fetched keeps being used while auth-service does not answer:
     *     tokens it issued before an outage keep working at every service; 0 = none (every token not yet verified is
     *     refused with a 503 once {@code cacheTtl} has passed)
     */
    public record KeySet(
            @DefaultValue("5m") Duration cacheTtl,
            @DefaultValue("1h") Duration outageTolerance) {}

    /**
     * The verified-token cache.
     *
     * @param maxEntries tokens remembered at most (0 = verify every request)
     * @param maxAge how long a verified token is remembered at most (never past its {@code exp})
     */
    public record TokenCache(
            @DefaultValue("10000") long maxEntries,
            @DefaultValue("5m") Duration maxAge) {}

    /**
     * The revocation feed of auth-service.
     *
     * @param enabled check tokens against the feed (off only in tests that have no feed at all)
     * @param source {@code auto}: the table and PostgreSQL NOTIFY when the service has a PostgreSQL data source, else
     *     auth-service over HTTP; {@code database} or {@code http} to choose
     * @param table the feed's table (published by auth-service)
     * @param channel the PostgreSQL NOTIFY channel auth-service signals on
     * @param url auth-service's feed over HTTP; empty: {@code agency.clients.auth.base-url} (read through
     *     {@code ServiceClients.httpClient("auth")}) if set, else the origin of {@code jwks-uri}, plus
     *     {@code /internal/revocations}
     * @param pollInterval how often the feed is read without a signal (HTTP: every poll; database: a safety net
     *     besides NOTIFY)
     */
    public record Revocation(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("auto") String source,
            @DefaultValue("auth.revocations") String table,
            @DefaultValue("agency_revocations") String channel,
            @DefaultValue("") String url,
            @DefaultValue("500ms") Duration pollInterval) {}
}
