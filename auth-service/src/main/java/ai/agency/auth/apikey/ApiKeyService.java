package ai.agency.auth.apikey;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.account.AccountService;
import ai.agency.auth.account.UserAccount;
import ai.agency.auth.audit.AuditLog;
import ai.agency.auth.revocation.RevocationPublisher;
import ai.agency.auth.token.TokenService;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * API keys for server-to-server clients: {@code agk_} + 43 random characters, shown once, stored as SHA-256, with
 * scopes no wider than those of the token that created it. The gateway exchanges a key for a short-lived access token whose roles and
 * scopes are narrowed to the key's scopes.
 */
@Service
public class ApiKeyService {

    public static final String PREFIX = "agk_";
    static final Set<String> SCOPES = Set.of("read", "write", "delete", "manage_users");
    static final int MAX_ACTIVE_KEYS = 100;

    /** A key as listed (never the secret). */
    public record ApiKey(
            UUID id,
            String name,
            String prefix,
            List<String> scopes,
            Instant createdAt,
            @Nullable Instant lastUsedAt) {}

    /** A key just created: the only time {@code key} is shown. */
    public record CreatedKey(UUID id, String name, String key, List<String> scopes, Instant createdAt) {}

    private final JdbcClient jdbc;
    private final AccountService accounts;
    private final TokenService tokens;
    private final AuditLog audit;
    private final AuthProperties properties;
    private final RevocationPublisher revocations;

    ApiKeyService(
            JdbcClient jdbc,
            AccountService accounts,
            TokenService tokens,
            AuditLog audit,
            AuthProperties properties,
            RevocationPublisher revocations) {
        this.revocations = revocations;
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.tokens = tokens;
        this.audit = audit;
        this.properties = properties;
    }

    /**
     * Creates a key with scopes no wider than the calling token's (and the owner's roles'). A token that itself came
     * from an API key may not create keys: a leaked narrow key must not mint a permanent one.
     */
    @Transactional
    public CreatedKey create(Caller caller, String name, List<String> scopes) {
        caller.requireOwnSignIn("create API keys");
        List<String> distinct = scopes.stream().distinct().sorted().toList();
        for (String scope : distinct) {
            if (!SCOPES.contains(scope)) {
                throw AgencyException.invalidField(
                        "scopes", "each scope must be one of read, write, delete, manage_users");
            }
        }
        UserAccount owner = accounts.get(caller.id());
        List<String> allowed = TokenService.scopesOf(owner.roles()).stream()
                .filter(caller.scopes()::contains)
                .toList();
        if (!allowed.containsAll(distinct)) {
            throw AgencyException.invalidField("scopes", "may not exceed your own scopes " + allowed);
        }
        long active = jdbc.sql("SELECT count(*) FROM api_keys WHERE user_id = :u AND revoked_at IS NULL")
                .param("u", owner.id())
                .query(Long.class)
                .single();
        if (active >= MAX_ACTIVE_KEYS) {
            throw AgencyException.conflict("You have " + MAX_ACTIVE_KEYS + " active API keys; revoke one first");
        }
        UUID id = UUID.randomUUID();
        String key = TokenService.newSecret(PREFIX);
        String shownPrefix = key.substring(0, PREFIX.length() + 6);
        Instant createdAt = jdbc.sql("INSERT INTO api_keys (id, user_id, name, key_hash, prefix, scopes) "
                        + "VALUES (:id, :u, :name, :hash, :prefix, :scopes) RETURNING created_at")
                .param("id", id)
                .param("u", owner.id())
                .param("name", name)
                .param("hash", TokenService.hash(key))
                .param("prefix", shownPrefix)
                .param("scopes", distinct.toArray(String[]::new))
                .query((rs, n) -> rs.getTimestamp(1).toInstant())
                .single();
        audit.record(AuditLog.API_KEY_CREATED, owner.id(), Map.of("keyId", id, "name", name, "scopes", distinct));
        return new CreatedKey(id, name, key, distinct, createdAt);
    }

    /** The caller's active keys, newest first. */
    public List<ApiKey> list(UUID userId) {
        return jdbc.sql("SELECT * FROM api_keys WHERE user_id = :u AND revoked_at IS NULL ORDER BY created_at DESC")
                .param("u", userId)
                .query(ApiKeyService::map)
                .list();
    }

    /**
     * Revokes one of the caller's keys; 404 when the caller has no such active key. Every token obtained from it
     * stops working at every service (the revocation feed).
     */
    @Transactional
    public void revoke(UUID userId, UUID keyId) {
        int changed = jdbc.sql(
                        "UPDATE api_keys SET revoked_at = now() WHERE id = :id AND user_id = :u AND revoked_at IS NULL")
                .param("id", keyId)
                .param("u", userId)
                .update();
        if (changed == 0) {
            throw AgencyException.notFound("API key", keyId);
        }
        revocations.revokeApiKey(userId, keyId);
        audit.record(AuditLog.API_KEY_REVOKED, userId, Map.of("keyId", keyId));
    }

    /**
     * Exchanges a key for a short-lived access token of its owner, narrowed to the key's scopes: the {@code admin}
     * role only with {@code manage_users}, {@code user} only with {@code write}, else {@code viewer}.
     */
    @Transactional
    public TokenService.AccessToken exchange(@Nullable String key) {
        if (key == null || !key.startsWith(PREFIX) || key.length() > 100) {
            throw AgencyException.unauthenticated("The API key is invalid or revoked");
        }
        var row = jdbc.sql("UPDATE api_keys SET last_used_at = now() WHERE key_hash = :h AND revoked_at IS NULL "
                        + "RETURNING id, user_id, scopes")
                .param("h", TokenService.hash(key))
                .query((rs, n) -> new KeyRow(
                        rs.getObject("id", UUID.class),
                        rs.getObject("user_id", UUID.class),
                        strings(rs.getArray("scopes"))))
                .optional()
                .orElseThrow(() -> AgencyException.unauthenticated("The API key is invalid or revoked"));
        UserAccount owner = accounts.findActive(row.userId())
                .orElseThrow(() -> AgencyException.unauthenticated("The API key is invalid or revoked"));
        List<String> ownerScopes = TokenService.scopesOf(owner.roles());
        List<String> scopes =
                row.scopes().stream().filter(ownerScopes::contains).toList();
        List<String> roles = new ArrayList<>();
        if (owner.roles().contains(Caller.ADMIN) && scopes.contains("manage_users")) {
            roles.add(Caller.ADMIN);
        }
        if ((owner.roles().contains(Caller.USER) || owner.roles().contains(Caller.ADMIN)) && scopes.contains("write")) {
            roles.add(Caller.USER);
        }
        if (roles.isEmpty()) {
            roles.add(Caller.VIEWER);
        }
        String token = tokens.accessToken(
                owner.subject(),
                roles,
                scopes,
                properties.apiKeyTokenTtl(),
                Map.of("api_key_id", row.id().toString()));
        return new TokenService.AccessToken(
                token, "Bearer", properties.apiKeyTokenTtl().toSeconds());
    }

    private record KeyRow(UUID id, UUID userId, List<String> scopes) {}

    private static ApiKey map(ResultSet rs, int row) throws SQLException {
        return new ApiKey(
                rs.getObject("id", UUID.class),
                rs.getString("name"),
                rs.getString("prefix"),
                strings(rs.getArray("scopes")),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("last_used_at") == null
                        ? null
                        : rs.getTimestamp("last_used_at").toInstant());
    }

    private static List<String> strings(Array array) throws SQLException {
        return Arrays.asList((String[]) array.getArray());
    }
}
