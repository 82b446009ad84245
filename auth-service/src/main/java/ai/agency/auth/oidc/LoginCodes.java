package ai.agency.auth.oidc;

import ai.agency.auth.token.TokenService;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Repository;

/**
 * The one-time codes the callback hands to the console in its redirect's fragment: valid 60 seconds, exchanged once
 * for a token pair, stored as SHA-256 hashes.
 */
@Repository
class LoginCodes {

    static final Duration TTL = Duration.ofSeconds(60);
    static final String PREFIX = "agc_";

    /** Whom a code signs in, through which provider. */
    record Holder(UUID userId, String provider) {}

    private final JdbcClient jdbc;

    LoginCodes(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    String issue(UUID userId, String provider) {
        String code = TokenService.newSecret(PREFIX);
        jdbc.sql("INSERT INTO oidc_login_codes (code_hash, user_id, provider, expires_at) VALUES (:h, :u, :p, :e)")
                .param("h", TokenService.hash(code))
                .param("u", userId)
                .param("p", provider)
                .param("e", Timestamp.from(Instant.now().plus(TTL)))
                .update();
        return code;
    }

    /** The holder of a usable code, without spending it (a second factor may still be asked for). */
    Optional<Holder> peek(String code) {
        return jdbc.sql("SELECT user_id, provider FROM oidc_login_codes WHERE code_hash = :h AND expires_at > now()")
                .param("h", TokenService.hash(code))
                .query((rs, n) -> new Holder(rs.getObject("user_id", UUID.class), rs.getString("provider")))
                .optional();
    }

    /** Spends a code: true once, before it expires. */
    boolean spend(String code) {
        return jdbc.sql("DELETE FROM oidc_login_codes WHERE code_hash = :h AND expires_at > now()")
                        .param("h", TokenService.hash(code))
                        .update()
                == 1;
    }

    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT10M")
    void forgetExpired() {
        jdbc.sql("DELETE FROM oidc_login_codes WHERE expires_at < now()").update();
    }
}
