package ai.agency.common.security;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * Remembers the access tokens a service has already verified, so that a token used for many requests (a chat turn
 * calls memory-, tool- and auth-service with the caller's token; a console polls) pays for its ES256 signature
 * check once per service instead of once per request — that check was 15–27 % of the CPU of a service under load.
 *
 * <p>The key is the whole compact token, signature included: only a byte-identical token hits, so a token whose
 * payload or header was changed is verified (and refused) by the delegate as before. Only tokens the delegate
 * accepted are kept, each until the earlier of its {@code exp} and {@code max-age} after it was first verified; a
 * hit past {@code exp} is never served from the cache. Refused tokens are not remembered. The cost: a token signed
 * with a key that auth-service later withdraws from its JWKS stays accepted here for at most {@code max-age} (its
 * own lifetime is usually shorter).
 */
public final class CachingJwtDecoder implements JwtDecoder {

    private final JwtDecoder delegate;
    private final Cache<String, Jwt> verified;
    private final Clock clock;

    CachingJwtDecoder(JwtDecoder delegate, long maxEntries, Duration maxAge, Clock clock, Ticker ticker) {
        this.delegate = delegate;
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                .expireAfter(Expiry.<String, Jwt>creating((token, jwt) -> lifetime(jwt, maxAge)))
                .ticker(ticker)
                .recordStats()
                .build();
    }

    /**
     * The delegate behind a cache of the given size and maximum age; the delegate itself when {@code maxEntries}
     * is 0 or {@code maxAge} is not positive (caching off).
     */
    public static JwtDecoder wrap(
            JwtDecoder delegate, long maxEntries, Duration maxAge, @Nullable MeterRegistry meters) {
        if (maxEntries <= 0 || maxAge.isZero() || maxAge.isNegative()) {
            return delegate;
        }
        CachingJwtDecoder decoder =
                new CachingJwtDecoder(delegate, maxEntries, maxAge, Clock.systemUTC(), Ticker.systemTicker());
        if (meters != null) {
            CaffeineCacheMetrics.monitor(meters, decoder.verified, "verified_tokens");
        }
        return decoder;
    }

    @Override
    public Jwt decode(String token) throws JwtException {
        if (token != null) {
            Jwt known = verified.getIfPresent(token);
            if (known != null && notExpired(known)) {
                return known;
            }
        }
        Jwt jwt = delegate.decode(token);
        if (token != null && notExpired(jwt)) {
            verified.put(token, jwt);
        }
        return jwt;
    }

    /** How many verified tokens are remembered (for tests and diagnostics). */
    long size() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private boolean notExpired(Jwt jwt) {
        Instant expiresAt = jwt.getExpiresAt();
        return expiresAt != null && clock.instant().isBefore(expiresAt);
    }

    private Duration lifetime(Jwt jwt, Duration maxAge) {
        Instant expiresAt = jwt.getExpiresAt();
        if (expiresAt == null) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(clock.instant(), expiresAt);
        if (left.isNegative()) {
            return Duration.ZERO;
        }
        return left.compareTo(maxAge) < 0 ? left : maxAge;
    }
}
