package ai.agency.auth.oidc;

import ai.agency.auth.token.TokenService;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Re-authentication tokens: handed out with the token pair of a provider sign-in, they let an account without a
 * password prove a fresh sign-in (within 5 minutes, once) where others type their password, e.g. to delete the
 * account. Opaque, stored as SHA-256 hashes.
 */
@Component
public class ReauthTokens {

    public static final Duration TTL = Duration.ofMinutes(5);
    static final String PREFIX = "agra_";

    private final JdbcClient jdbc;

    ReauthTokens(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A new token for this user, valid {@link #TTL}. */
    public String issue(UUID userId) {
        String token = TokenService.newSecret(PREFIX);
        jdbc.sql("INSERT INTO reauth_tokens (token_hash, user_id, expires_at) VALUES (:h, :u, :e)")
                .param("h", TokenService.hash(token))
                .param("u", userId)
                .param("e", Timestamp.from(Instant.now().plus(TTL)))
                .update();
        return token;
    }

    /**
     * Spends a token: true once, for the user it was issued to, within 5 minutes of its issue; false for anything
     * else (another user's token is left untouched).
     */
    public boolean consume(UUID userId, String token) {
        if (token == null || !token.startsWith(PREFIX)) {
            return false;
        }
        return jdbc.sql("DELETE FROM reauth_tokens WHERE token_hash = :h AND user_id = :u AND expires_at > now()")
                        .param("h", TokenService.hash(token))
                        .param("u", userId)
                        .update()
                == 1;
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT10M")
    void forgetExpired() {
        jdbc.sql("DELETE FROM reauth_tokens WHERE expires_at < now()").update();
    }
}
