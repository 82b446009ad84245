package ai.agency.auth.revocation;

import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Publishes revocations to every service: a row in {@code revocations} plus a {@code NOTIFY agency_revocations},
 * both part of the caller's transaction (PostgreSQL delivers the notification when it commits, so no service sees a
 * revocation that was rolled back). Every service's {@code RevocationFeed} (common-lib) reads it within
 * milliseconds; tokens issued before are refused from then on.
 */
@Service
public class RevocationPublisher {

    public static final String CHANNEL = "agency_revocations";

    /** Why a user's tokens were revoked (the feed's {@code reason}). */
    public enum Reason {
        PASSWORD_CHANGED,
        PASSWORD_RESET,
        LOGOUT_ALL,
        ROLES_CHANGED,
        USER_DISABLED,
        API_KEY_REVOKED;

        String value() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One row of the feed, as {@code GET /internal/revocations} answers it. */
    public record Entry(long id, UUID userId, int minVersion, UUID apiKeyId, String reason) {}

    private final JdbcClient jdbc;

    RevocationPublisher(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Revokes every access token of the user issued so far: raises the user's token version (tokens issued from now
     * on carry the new one) and publishes it. Answers the new version. Refresh tokens are the caller's business.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public int revokeUserTokens(UUID userId, Reason reason) {
        int version = jdbc.sql("UPDATE users SET token_version = token_version + 1 WHERE id = :id "
                        + "RETURNING token_version")
                .param("id", userId)
                .query(Integer.class)
                .single();
        publish(userId, version, null, reason);
        return version;
    }

    /** Revokes every token obtained from an API key (by exchange or through a WebSocket ticket). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void revokeApiKey(UUID userId, UUID apiKeyId) {
        publish(userId, 0, apiKeyId, Reason.API_KEY_REVOKED);
    }

    /** Feed entries after {@code afterId}, oldest first. */
    public List<Entry> after(long afterId, int limit) {
        return jdbc.sql("SELECT id, user_id, min_version, api_key_id, reason FROM revocations WHERE id > :after "
                        + "ORDER BY id LIMIT :limit")
                .param("after", afterId)
                .param("limit", limit)
                .query((rs, n) -> new Entry(
                        rs.getLong("id"),
                        rs.getObject("user_id", UUID.class),
                        rs.getInt("min_version"),
                        rs.getObject("api_key_id", UUID.class),
                        rs.getString("reason")))
                .list();
    }

    private void publish(UUID userId, int minVersion, @Nullable UUID apiKeyId, Reason reason) {
        long id = jdbc.sql("INSERT INTO revocations (user_id, min_version, api_key_id, reason) "
                        + "VALUES (:u, :v, :k, :r) RETURNING id")
                .param("u", userId)
                .param("v", minVersion)
                .param("k", apiKeyId)
                .param("r", reason.value())
                .query(Long.class)
                .single();
        jdbc.sql("SELECT pg_notify(:channel, :id)")
                .param("channel", CHANNEL)
                .param("id", Long.toString(id))
                .query()
                .singleRow();
    }

    /**
     * Forgets entries older than a day: by then every token they revoke has expired (access tokens live at most 15
     * minutes), and a revoked API key can no longer be exchanged.
     */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT10M")
    void prune() {
        jdbc.sql("DELETE FROM revocations WHERE created_at < now() - interval '1 day'")
                .update();
    }
}
