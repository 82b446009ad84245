package ai.agency.auth.token;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.audit.AuditLog;
import ai.agency.auth.key.SigningKeys;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.AgencySecurityProperties;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Issues access tokens (ES256 JWT, {@code kid} in the header, short-lived) and opaque refresh tokens (stored as
 * SHA-256 hashes, rotated on every use; presenting a spent one revokes its whole family).
 */
@Service
public class TokenService {

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What login and refresh answer. */
    public record TokenPair(String accessToken, String refreshToken, String tokenType, long expiresIn) {}

    /** An access token without a refresh token (API-key exchange, WebSocket ticket redemption). */
    public record AccessToken(String accessToken, String tokenType, long expiresIn) {}

    /** A new random secret: {@code prefix} followed by 43 base64url characters (256 bits). */
    public static String newSecret(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private final SigningKeys keys;
    private final JdbcClient jdbc;
    private final AuthProperties properties;
    private final AuditLog audit;
    private final AgencySecurityProperties security;

    public TokenService(
            SigningKeys keys,
            JdbcClient jdbc,
            AuthProperties properties,
            AuditLog audit,
            AgencySecurityProperties security) {
        this.keys = keys;
        this.jdbc = jdbc;
        this.properties = properties;
        this.audit = audit;
        this.security = security;
    }

    @Transactional
    public TokenPair issue(TokenSubject user) {
        return new TokenPair(
                accessToken(user),
                newRefreshToken(user.id(), UUID.randomUUID()),
                "Bearer",
                properties.accessTokenTtl().toSeconds());
    }

    public long accessTokenTtlSeconds() {
        return properties.accessTokenTtl().toSeconds();
    }

    public String accessToken(TokenSubject user) {
        return accessToken(user, user.roles(), scopesOf(user.roles()), properties.accessTokenTtl(), Map.of());
    }

    /**
     * An access token with the given roles and scopes (narrower than the user's own for API keys), lifetime and
     * extra claims. It carries the platform's issuer and audience (RFC 9068) and the user's token version
     * ({@code ver}; an extra claim {@code ver} replaces it, as for a ticket that keeps its issuing token's version).
     */
    public String accessToken(
            TokenSubject user, List<String> roles, List<String> scopes, Duration ttl, Map<String, ?> extraClaims) {
        SigningKeys.SigningKey key = keys.active();
        Instant now = Instant.now();
        return Jwts.builder()
                .header()
                .keyId(key.kid())
                .and()
                .issuer(security.issuer())
                .audience()
                .add(security.audience())
                .and()
                .subject(user.id().toString())
                .claim("username", user.username())
                .claim("roles", roles)
                .claim("scope", String.join(" ", scopes))
                .claim("ver", user.tokenVersion())
                .claims(extraClaims)
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plus(ttl)))
                .id(UUID.randomUUID().toString())
                .signWith(key.privateKey(), Jwts.SIG.ES256)
                .compact();
    }

    /** Spends a refresh token and returns the next pair; reuse of a spent token revokes its family. */
    @Transactional(noRollbackFor = AgencyException.class)
    public RefreshResult refresh(String refreshToken) {
        String hash = hash(refreshToken);
        var row = jdbc.sql("SELECT user_id, family_id, expires_at, spent_at, revoked_at FROM refresh_tokens "
                        + "WHERE token_hash = :hash FOR UPDATE")
                .param("hash", hash)
                .query((rs, n) -> new RefreshRow(
                        rs.getObject("user_id", UUID.class),
                        rs.getObject("family_id", UUID.class),
                        rs.getTimestamp("expires_at").toInstant(),
                        rs.getTimestamp("spent_at") != null,
                        rs.getTimestamp("revoked_at") != null))
                .optional()
                .orElseThrow(() -> AgencyException.unauthenticated("The refresh token is invalid"));
        if (row.spent() || row.revoked()) {
            if (row.spent() && !row.revoked()) {
                log.warn(
                        "Spent refresh token presented again: revoking token family {} of user {}",
                        row.familyId(),
                        row.userId());
                audit.record(AuditLog.TOKEN_REUSE, row.userId(), Map.of("familyId", row.familyId()));
            }
            revokeFamily(row.familyId());
            throw AgencyException.unauthenticated("The refresh token was already used or revoked; log in again");
        }
        if (row.expiresAt().isBefore(Instant.now())) {
            throw AgencyException.unauthenticated("The refresh token has expired; log in again");
        }
        jdbc.sql("UPDATE refresh_tokens SET spent_at = now() WHERE token_hash = :hash")
                .param("hash", hash)
                .update();
        return new RefreshResult(row.userId(), newRefreshToken(row.userId(), row.familyId()));
    }

    /** Revokes the family of this refresh token (logout); unknown tokens are ignored. Answers the token's user. */
    @Transactional
    public Optional<UUID> revoke(String refreshToken) {
        var row = jdbc.sql("SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = :hash")
                .param("hash", hash(refreshToken))
                .query((rs, n) -> Map.entry(rs.getObject("user_id", UUID.class), rs.getObject("family_id", UUID.class)))
                .optional();
        row.ifPresent(r -> revokeFamily(r.getValue()));
        return row.map(Map.Entry::getKey);
    }

    /** Revokes every refresh token of a user at once (account disabled). */
    @Transactional
    public int revokeAll(UUID userId) {
        return jdbc.sql("UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = :u AND revoked_at IS NULL")
                .param("u", userId)
                .update();
    }

    /** The user a refresh token belongs to and the next refresh token of its family. */
    public record RefreshResult(UUID userId, String nextRefreshToken) {}

    private record RefreshRow(UUID userId, UUID familyId, Instant expiresAt, boolean spent, boolean revoked) {}

    private void revokeFamily(UUID familyId) {
        jdbc.sql("UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = :f AND revoked_at IS NULL")
                .param("f", familyId)
                .update();
    }

    private String newRefreshToken(UUID userId, UUID familyId) {
        String token = newSecret("agr_");
        jdbc.sql("INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at) VALUES (:h, :u, :f, :e)")
                .param("h", hash(token))
                .param("u", userId)
                .param("f", familyId)
                .param("e", Timestamp.from(Instant.now().plus(properties.refreshTokenTtl())))
                .update();
        return token;
    }

    public static List<String> scopesOf(List<String> roles) {
        if (roles.contains("admin")) {
            return List.of("read", "write", "delete", "manage_users");
        }
        if (roles.contains("user")) {
            return List.of("read", "write", "delete");
        }
        return List.of("read");
    }

    /** SHA-256 hex of a high-entropy secret (refresh tokens, API keys, tickets). */
    public static String hash(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
