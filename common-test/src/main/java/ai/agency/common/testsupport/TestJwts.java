package ai.agency.common.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/**
 * ES256 access tokens for tests of services other than auth-service: the same claims auth-service issues
 * ({@code sub}, {@code username}, {@code roles}, {@code scope}), signed by a key made for the test. Register
 * {@link #decoder()} as the service's {@code JwtDecoder}; {@link #foreign()} signs with an unrelated key.
 */
public final class TestJwts {

    /** The issuer and audience the services expect by default ({@code agency.security.issuer} and {@code audience}). */
    public static final String ISSUER = "http://localhost:8080";

    public static final String AUDIENCE = "agency";

    private final ECKey key;

    private TestJwts(ECKey key) {
        this.key = key;
    }

    public static TestJwts create() {
        try {
            return new TestJwts(new ECKeyGenerator(Curve.P_256)
                    .keyID(UUID.randomUUID().toString())
                    .generate());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Another issuer's key, for tokens that must be refused. */
    public TestJwts foreign() {
        return create();
    }

    /** A decoder that trusts exactly this key (as the services trust auth-service's JWKS). */
    public JwtDecoder decoder() {
        return NimbusJwtDecoder.withJwkSource(new ImmutableJWKSet<SecurityContext>(new JWKSet(key.toPublicJWK())))
                .jwsAlgorithm(SignatureAlgorithm.ES256)
                .build();
    }

    /** The public JWK set, as auth-service publishes it. */
    public String jwksJson() {
        return new JWKSet(key.toPublicJWK()).toString();
    }

    public String user(UUID userId) {
        return token(userId, List.of("user"), Duration.ofMinutes(5));
    }

    public String viewer(UUID userId) {
        return token(userId, List.of("viewer"), Duration.ofMinutes(5));
    }

    public String admin(UUID userId) {
        return token(userId, List.of("admin", "user"), Duration.ofMinutes(5));
    }

    public String token(UUID userId, List<String> roles, Duration lifetime) {
        List<String> scopes = roles.contains("admin")
                ? List.of("read", "write", "delete", "manage_users")
                : roles.contains("user") ? List.of("read", "write", "delete") : List.of("read");
        return token(userId, roles, scopes, lifetime, Map.of());
    }

    /** A token with exactly these scopes (narrower than the roles', as for an API key). */
    public String withScopes(UUID userId, List<String> roles, List<String> scopes) {
        return token(userId, roles, scopes, Duration.ofMinutes(5), Map.of());
    }

    /**
     * A token with these roles, scopes, lifetime and extra claims ({@code ver}, {@code api_key_id}, or {@code iss} /
     * {@code aud} to replace the platform's defaults).
     */
    public String token(
            UUID userId, List<String> roles, List<String> scopes, Duration lifetime, Map<String, Object> extraClaims) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(userId.toString())
                .claim("username", "user-" + userId.toString().substring(0, 8))
                .claim("roles", roles)
                .claim("scope", String.join(" ", scopes))
                .issueTime(Date.from((lifetime.isNegative() ? now.plus(lifetime) : now).minusSeconds(1)))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString());
        extraClaims.forEach(builder::claim);
        JWTClaimsSet claims = builder.build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims);
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
