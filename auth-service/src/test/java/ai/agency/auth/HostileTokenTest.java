package ai.agency.auth;

import ai.agency.auth.key.SigningKeys;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class HostileTokenTest extends AuthApiTest {

    @Autowired
    SigningKeys keys;

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anUnsignedAlgNoneTokenIs401() {
        Account account = register();
        String claims = b64("{\"sub\":\"" + account.id() + "\",\"roles\":[\"admin\"],\"scope\":\"read write\","
                + "\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}");

        assertProblem(get("/api/v1/users/me", b64("{\"alg\":\"none\"}") + "." + claims + "."), 401, "authentication");
        assertProblem(
                get("/api/v1/admin/users", b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + claims + "."),
                401,
                "authentication");
    }

    @Test
    void aTokenSignedByAnUnknownKeyUnderAKnownKidIs401() throws Exception {
        Account account = register();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair forged = generator.generateKeyPair();

        String token = Jwts.builder()
                .header()
                .keyId(keys.active().kid())
                .and()
                .subject(account.id().toString())
                .claim("roles", List.of("admin", "user"))
                .claim("scope", "read write delete manage_users")
                .issuedAt(new Date())
                .expiration(Date.from(Instant.now().plusSeconds(600)))
                .signWith(forged.getPrivate(), Jwts.SIG.ES256)
                .compact();

        assertProblem(get("/api/v1/users/me", token), 401, "authentication");
        assertProblem(get("/api/v1/admin/users", token), 401, "authentication");
    }

    @Test
    void anExpiredTokenSignedByTheRealKeyIs401() {
        Account account = register();
        SigningKeys.SigningKey key = keys.active();

        String token = Jwts.builder()
                .header()
                .keyId(key.kid())
                .and()
                .subject(account.id().toString())
                .claim("roles", List.of("user"))
                .claim("scope", "read write delete")
                .issuedAt(Date.from(Instant.now().minusSeconds(3600)))
                .expiration(Date.from(Instant.now().minusSeconds(1800)))
                .signWith(key.privateKey(), Jwts.SIG.ES256)
                .compact();

        assertProblem(get("/api/v1/users/me", token), 401, "authentication");
    }

    @Test
    void anHs256TokenKeyedWithThePublicKeyIs401() throws Exception {
        Account account = register();
        SigningKeys.SigningKey key = keys.active();
        byte[] secret = java.security.MessageDigest.getInstance("SHA-256")
                .digest(key.publicKey().getEncoded());

        String token = Jwts.builder()
                .header()
                .keyId(key.kid())
                .and()
                .subject(account.id().toString())
                .claim("roles", List.of("admin"))
                .expiration(Date.from(Instant.now().plusSeconds(600)))
                .signWith(io.jsonwebtoken.security.Keys.hmacShaKeyFor(secret), Jwts.SIG.HS256)
                .compact();

        assertProblem(get("/api/v1/users/me", token), 401, "authentication");
    }
}
