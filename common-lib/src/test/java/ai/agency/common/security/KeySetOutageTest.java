package ai.agency.common.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.testsupport.TestJwts;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * auth-service goes away (chaos scenario auth-down) after a service fetched its key set: tokens it issued before keep
 * being verified once the cached key set is older than its time to live — also a token this service never saw.
 */
class KeySetOutageTest {

    private final TestJwts jwts = TestJwts.create();
    private HttpServer authService;
    private String jwksUri;

    @BeforeEach
    void startAuthService() throws Exception {
        authService = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] keys = jwts.jwksJson().getBytes(StandardCharsets.UTF_8);
        authService.createContext("/.well-known/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, keys.length);
            exchange.getResponseBody().write(keys);
            exchange.close();
        });
        authService.start();
        jwksUri = "http://127.0.0.1:" + authService.getAddress().getPort() + "/.well-known/jwks.json";
    }

    @AfterEach
    void stopAuthService() {
        authService.stop(0);
    }

    @Test
    void aTokenIssuedBeforeAnAuthOutageIsVerifiedAfterTheCachedKeySetExpired() throws InterruptedException {
        JwtDecoder decoder = decoder(new AgencySecurityProperties.KeySet(Duration.ofMillis(300), Duration.ofHours(1)));
        String seenBefore = jwts.user(UUID.randomUUID());
        String firstUsedDuringTheOutage = jwts.user(UUID.randomUUID());
        decoder.decode(seenBefore); // fetches the key set

        authService.stop(0);
        Thread.sleep(1_000); // the cached key set is past its time to live

        assertThat(decoder.decode(firstUsedDuringTheOutage).getSubject()).isNotBlank();
        assertThat(decoder.decode(seenBefore).getSubject()).isNotBlank();
    }

    @Test
    void withoutOutageToleranceSuchATokenIsRefusedAsBefore() throws InterruptedException {
        // the behaviour before: Spring's key source caches 5 minutes and then needs auth-service for every new token
        JwtDecoder decoder = decoder(new AgencySecurityProperties.KeySet(Duration.ofMillis(300), Duration.ZERO));
        decoder.decode(jwts.user(UUID.randomUUID()));

        authService.stop(0);
        Thread.sleep(1_000);

        assertThatThrownBy(() -> decoder.decode(jwts.user(UUID.randomUUID()))).isInstanceOf(JwtException.class);
    }

    @Test
    void aTokenOfAForeignKeyIsStillRefusedDuringTheOutage() throws InterruptedException {
        JwtDecoder decoder = decoder(new AgencySecurityProperties.KeySet(Duration.ofMillis(300), Duration.ofHours(1)));
        decoder.decode(jwts.user(UUID.randomUUID()));

        authService.stop(0);
        Thread.sleep(1_000);

        assertThatThrownBy(() -> decoder.decode(jwts.foreign().user(UUID.randomUUID())))
                .isInstanceOf(JwtException.class);
    }

    private JwtDecoder decoder(AgencySecurityProperties.KeySet settings) {
        return NimbusJwtDecoder.withJwkSource(AgencySecurityAutoConfiguration.keySource(jwksUri, settings))
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
    }
}
