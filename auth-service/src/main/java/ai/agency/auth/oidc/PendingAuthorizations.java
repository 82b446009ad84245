package ai.agency.auth.oidc;

import ai.agency.auth.token.TokenService;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;

/**
 * Authorization requests sent to a provider and not answered yet, in PostgreSQL so that any replica can take the
 * callback: keyed by the SHA-256 of the state, valid 10 minutes, taken once.
 */
@Repository
class PendingAuthorizations {

    static final Duration TTL = Duration.ofMinutes(10);

    /** What the callback needs of the request it answers. */
    record Pending(
            String browserHash,
            String provider,
            String nonce,
            String codeVerifier,
            String redirectPath,
            @Nullable UUID linkUserId) {}

    private final JdbcClient jdbc;

    PendingAuthorizations(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void save(String state, Pending pending) {
        jdbc.sql("""
                        INSERT INTO oidc_pending_authorizations
                            (state_hash, browser_hash, provider, nonce, code_verifier, redirect_path, link_user_id,
                             expires_at)
                        VALUES (:state, :browser, :provider, :nonce, :verifier, :redirect, :link, :expires)""")
                .param("state", TokenService.hash(state))
                .param("browser", pending.browserHash())
                .param("provider", pending.provider())
                .param("nonce", pending.nonce())
                .param("verifier", pending.codeVerifier())
                .param("redirect", pending.redirectPath())
                .param("link", pending.linkUserId())
                .param("expires", Timestamp.from(Instant.now().plus(TTL)))
                .update();
    }

    /** Takes the request of this state: present once, and only before it expires. */
    Optional<Pending> take(String state) {
        return jdbc.sql("""
                        DELETE FROM oidc_pending_authorizations WHERE state_hash = :state AND expires_at > now()
                        RETURNING browser_hash, provider, nonce, code_verifier, redirect_path, link_user_id""")
                .param("state", TokenService.hash(state))
                .query((rs, n) -> new Pending(
                        rs.getString("browser_hash"),
                        rs.getString("provider"),
                        rs.getString("nonce"),
                        rs.getString("code_verifier"),
                        rs.getString("redirect_path"),
                        rs.getObject("link_user_id", UUID.class)))
                .optional();
    }

    /** Forgets requests that were never answered. */
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT10M")
    void forgetExpired() {
        jdbc.sql("DELETE FROM oidc_pending_authorizations WHERE expires_at < now()")
                .update();
    }
}
