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
 * @param publicPaths paths anyone may call (besides health, info, prometheus and the OpenAPI documents)
 * @param protectedPaths paths that need a valid token; anything matching neither list is open (so unknown paths
 *     answer 404, not 401)
 * @param tokenCache how many verified access tokens are remembered, and for how long (see {@link CachingJwtDecoder})
 */
@Validated
@ConfigurationProperties("agency.security")
public record AgencySecurityProperties(
        @DefaultValue("http://localhost:8081/.well-known/jwks.json") @NotBlank
        String jwksUri,

        @DefaultValue({}) List<String> publicPaths,
        @DefaultValue("/**") List<String> protectedPaths,
        @DefaultValue TokenCache tokenCache) {

    /**
     * The verified-token cache.
     *
     * @param maxEntries tokens remembered at most (0 = verify every request)
     * @param maxAge how long a verified token is remembered at most (never past its {@code exp})
     */
    public record TokenCache(
            @DefaultValue("10000") long maxEntries,
            @DefaultValue("5m") Duration maxAge) {}
}
