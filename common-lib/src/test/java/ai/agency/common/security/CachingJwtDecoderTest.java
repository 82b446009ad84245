package ai.agency.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.TestJwts;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

class CachingJwtDecoderTest {

    private final TestJwts jwts = TestJwts.create();
    private final JwtDecoder verifier = jwts.decoder();
    private final AtomicInteger verifications = new AtomicInteger();
    private final JwtDecoder counting = token -> {
        verifications.incrementAndGet();
        return verifier.decode(token);
    };

    /** A clock and a Caffeine ticker that move together, under the test's control. */
    private final AtomicLong nanos = new AtomicLong();

    private final Instant start = Instant.now();
    private final Ticker ticker = nanos::get;
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return start.plusNanos(nanos.get());
        }
    };

    private CachingJwtDecoder cache(Duration maxAge) {
        return new CachingJwtDecoder(counting, 100, maxAge, clock, ticker);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void aTokenIsVerifiedOnceAndThenServedWithTheSameClaims() {
        CachingJwtDecoder decoder = cache(Duration.ofMinutes(5));
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);

        Jwt first = decoder.decode(token);
        Jwt second = decoder.decode(token);

        assertThat(verifications).hasValue(1);
        assertThat(second.getSubject()).isEqualTo(user.toString());
        assertThat(second.getClaimAsStringList("roles")).containsExactly("user");
        assertThat(second.getTokenValue()).isEqualTo(first.getTokenValue());
    }

    @Test
    void aTamperedCopyOfACachedTokenIsVerifiedAndRefused() {
        CachingJwtDecoder decoder = cache(Duration.ofMinutes(5));
        String token = jwts.user(UUID.randomUUID());
        decoder.decode(token);
        String[] parts = token.split("\\.");
        String adminPayload = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(new String(Base64.getUrlDecoder().decode(parts[1]))
                        .replace("\"roles\":[\"user\"]", "\"roles\":[\"admin\",\"user\"]")
                        .getBytes());
        String tampered = parts[0] + "." + adminPayload + "." + parts[2];

        assertThatThrownBy(() -> decoder.decode(tampered)).isInstanceOf(BadJwtException.class);
        assertThatThrownBy(() -> decoder.decode(tampered)).isInstanceOf(BadJwtException.class);
        assertThat(verifications).hasValue(3);
        assertThat(decoder.size()).isEqualTo(1);
    }

    @Test
    void refusedTokensAreNotRemembered() {
        CachingJwtDecoder decoder = cache(Duration.ofMinutes(5));
        String foreign = jwts.foreign().user(UUID.randomUUID());

        assertThatThrownBy(() -> decoder.decode(foreign)).isInstanceOf(JwtException.class);
        assertThatThrownBy(() -> decoder.decode(foreign)).isInstanceOf(JwtException.class);

        assertThat(verifications).hasValue(2);
        assertThat(decoder.size()).isZero();
    }

    @Test
    void aCachedTokenIsNeverServedPastItsExpiry() {
        CachingJwtDecoder decoder = cache(Duration.ofHours(1));
        String token = jwts.token(UUID.randomUUID(), List.of("user"), Duration.ofSeconds(30));
        decoder.decode(token);

        advance(Duration.ofSeconds(31));
        // the delegate decides again (it still grants its own clock skew); the cache no longer answers
        decoder.decode(token);

        assertThat(verifications).hasValue(2);
    }

    @Test
    void aTokenIsVerifiedAgainAfterTheMaximumAge() {
        CachingJwtDecoder decoder = cache(Duration.ofSeconds(10));
        String token = jwts.user(UUID.randomUUID());
        decoder.decode(token);
        advance(Duration.ofSeconds(5));
        decoder.decode(token);
        assertThat(verifications).hasValue(1);

        advance(Duration.ofSeconds(6));
        decoder.decode(token);

        assertThat(verifications).hasValue(2);
    }

    @Test
    void zeroEntriesTurnsCachingOffAndTheCacheReportsItsHits() {
        assertThat(CachingJwtDecoder.wrap(verifier, 0, Duration.ofMinutes(5), null))
                .isSameAs(verifier);

        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        JwtDecoder decoder = CachingJwtDecoder.wrap(counting, 10, Duration.ofMinutes(5), meters);
        String token = jwts.user(UUID.randomUUID());
        decoder.decode(token);
        decoder.decode(token);
        decoder.decode(token);

        assertThat(verifications).hasValue(1);
        assertThat(meters.get("cache.gets")
                        .tag("cache", "verified_tokens")
                        .tag("result", "hit")
                        .functionCounter()
                        .count())
                .isEqualTo(2.0);
    }
}
