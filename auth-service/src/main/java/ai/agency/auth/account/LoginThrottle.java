package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.common.error.RateLimitedException;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Limits failed logins per username and per client address. Counts and locks live in the table
 * {@code login_failures}, so every replica of auth-service enforces the same limits; all times are the database's
 * clock. A lock lifts by itself after {@code agency.auth.login-limits.lock-duration}.
 */
@Component
class LoginThrottle {

    private final JdbcClient jdbc;
    private final AuthProperties.LoginLimits limits;

    LoginThrottle(JdbcClient jdbc, AuthProperties properties) {
        this.jdbc = jdbc;
        this.limits = properties.loginLimits();
    }

    static String usernameKey(String username) {
        return "user:" + username.toLowerCase(Locale.ROOT);
    }

    static String addressKey(String address) {
        return "addr:" + address;
    }

    /** Throws a 429 problem with {@code Retry-After} while the username or the address is locked. */
    void checkNotLocked(String username, String address) {
        java.util.List<Long> rows = jdbc.sql(
                        "SELECT ceil(extract(epoch FROM max(locked_until) - now()))::bigint FROM login_failures "
                                + "WHERE throttle_key IN (:u, :a) AND locked_until > now()")
                .param("u", usernameKey(username))
                .param("a", addressKey(address))
                .query(Long.class)
                .list();
        Long seconds = rows.isEmpty() ? null : rows.get(0);
        if (seconds != null) {
            throw new RateLimitedException("Too many failed logins; try again later", seconds);
        }
    }

    /** Counts a failed login; answers true when this failure locked the username or the address. */
    boolean recordFailure(String username, String address) {
        boolean userLocked = count(usernameKey(username), limits.maxFailuresPerUsername());
        boolean addressLocked = count(addressKey(address), limits.maxFailuresPerAddress());
        return userLocked || addressLocked;
    }

    /** A successful login clears the username's failures (not the address's). */
    void recordSuccess(String username) {
        jdbc.sql(
                        "DELETE FROM login_failures WHERE throttle_key = :k AND (locked_until IS NULL OR locked_until <= now())")
                .param("k", usernameKey(username))
                .update();
    }

    private boolean count(String key, int max) {
        jdbc.sql("INSERT INTO login_failures (throttle_key, failures, window_start) VALUES (:k, 1, now()) "
                        + "ON CONFLICT (throttle_key) DO UPDATE SET "
                        + "failures = CASE WHEN login_failures.window_start < now() - make_interval(secs => :w) "
                        + "  THEN 1 ELSE login_failures.failures + 1 END, "
                        + "window_start = CASE WHEN login_failures.window_start < now() - make_interval(secs => :w) "
                        + "  THEN now() ELSE login_failures.window_start END")
                .param("k", key)
                .param("w", (double) limits.window().toSeconds())
                .update();
        return jdbc.sql("UPDATE login_failures SET locked_until = now() + make_interval(secs => :lock), "
                                + "failures = 0, window_start = now() WHERE throttle_key = :k AND failures >= :max")
                        .param("lock", (double) limits.lockDuration().toSeconds())
                        .param("k", key)
                        .param("max", max)
                        .update()
                > 0;
    }

    /** Forgets counters whose window and lock have both passed. */
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT10M")
    void forgetOldFailures() {
        jdbc.sql("DELETE FROM login_failures WHERE window_start < now() - make_interval(secs => :w) "
                        + "AND (locked_until IS NULL OR locked_until < now())")
                .param("w", (double) limits.window().toSeconds())
                .update();
    }
}
