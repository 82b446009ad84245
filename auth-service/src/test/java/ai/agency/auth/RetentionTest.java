package ai.agency.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.retention.RetentionPurge;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** auth-service's retention rules run in the service: old audit events and long-expired refresh tokens go. */
class RetentionTest extends AuthApiTest {

    @Autowired
    RetentionPurge retention;

    @Test
    void auditEventsOlderThanAYearAndRefreshTokensAWeekPastExpiryArePurged() {
        Account account = register();
        loginOk(account.username(), account.password());
        UUID user = account.id();
        jdbc.sql("INSERT INTO audit_events (type, user_id, at, details) VALUES "
                        + "('retention.old', :u, now() - interval '400 days', '{}'), "
                        + "('retention.recent', :u, now() - interval '300 days', '{}')")
                .param("u", user)
                .update();
        jdbc.sql("UPDATE refresh_tokens SET expires_at = now() - interval '8 days' WHERE user_id = :u")
                .param("u", user)
                .update();
        Account other = register();
        loginOk(other.username(), other.password()); // its refresh token is valid: it stays

        retention.purge();

        assertThat(jdbc.sql("SELECT type FROM audit_events WHERE user_id = :u AND type LIKE 'retention.%'")
                        .param("u", user)
                        .query(String.class)
                        .list())
                .containsExactly("retention.recent");
        assertThat(count("SELECT count(*) FROM refresh_tokens WHERE user_id = :u", user))
                .isZero();
        assertThat(count("SELECT count(*) FROM refresh_tokens WHERE user_id = :u", other.id()))
                .isEqualTo(1);
    }

    private long count(String sql, UUID user) {
        return jdbc.sql(sql).param("u", user).query(Long.class).single();
    }
}
