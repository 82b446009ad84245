package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.common.error.RateLimitedException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Limits failed logins, in two ways, both keyed on the real client address (the gateway forwards it):
 *
 * <ul>
 *   <li>per username <em>and</em> address: after {@code max-failures-per-username} (5) failures, the next try of
 *       this username from this address must wait {@code first-delay} (1 s), and twice as long after each further
 *       failure, up to {@code lock-duration} (15 min). Someone guessing a password slows down to a crawl, but only at their own address:
 *       the account's owner, anywhere else, logs in as usual, so no one can lock an account (the admin's included)
 *       out by failing on purpose;
 *   <li>per address, all usernames: {@code max-failures-per-address} failures within {@code window} lock the address
 *       for {@code lock-duration} (password spraying).
 * </ul>
 *
 * An IPv6 address counts as its /64 (one host usually owns a whole /64). Counts and locks live in the table
 * {@code login_failures}, so every replica of auth-service enforces the same limits; all times are the database's
 * clock. A lock or delay lifts by itself.
 */
@Component
class LoginThrottle {

    private final JdbcClient jdbc;
    private final AuthProperties.LoginLimits limits;

    LoginThrottle(JdbcClient jdbc, AuthProperties properties) {
        this.jdbc = jdbc;
        this.limits = properties.loginLimits();
    }

    static String usernameKey(String username, String address) {
        return "user:" + username.toLowerCase(Locale.ROOT) + "|" + addressKey(address);
    }

    static String addressKey(String address) {
        return "addr:" + addressGroup(address);
    }

    /** The address as counted: an IPv6 address as its /64 network, anything else as it is. */
    static String addressGroup(String address) {
        if (address == null || address.indexOf(':') < 0 || !address.matches("[0-9A-Fa-f:.%]{2,64}")) {
            return String.valueOf(address);
        }
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress(); // a literal: no name lookup
            if (bytes.length != 16) {
                return address;
            }
            Arrays.fill(bytes, 8, 16, (byte) 0);
            return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            return address;
        }
    }

    /** Throws a 429 problem with {@code Retry-After} while this username at this address, or the address, waits. */
    void checkNotLocked(String username, String address) {
        List<@Nullable Long> rows = jdbc.sql(
                        "SELECT ceil(extract(epoch FROM max(locked_until) - now()))::bigint FROM login_failures "
                                + "WHERE throttle_key IN (:u, :a) AND locked_until > now()")
                .param("u", usernameKey(username, address))
                .param("a", addressKey(address))
                .query(Long.class)
                .list();
        Long seconds = rows.isEmpty() ? null : rows.get(0);
        if (seconds != null) {
            throw new RateLimitedException("Too many failed logins; try again later", Math.max(1, seconds));
        }
    }

    /**
     * Counts a failed login; answers true when this failure locked the address or started the slow-down of this
     * username at this address (worth an audit event; later, longer delays are not).
     */
    boolean recordFailure(String username, String address) {
        boolean slowed = slowDown(usernameKey(username, address));
        boolean addressLocked = countAndLock(addressKey(address), limits.maxFailuresPerAddress());
        return slowed || addressLocked;
    }

    /** A successful login clears this username's failures at this address (not the address's own count). */
    void recordSuccess(String username, String address) {
        jdbc.sql(
                        "DELETE FROM login_failures WHERE throttle_key = :k AND (locked_until IS NULL OR locked_until <= now())")
                .param("k", usernameKey(username, address))
                .update();
    }

    /**
     * Username and address: {@code window_start} is the last failure; the count is forgotten once {@code window} has
     * passed since the later of the last failure and the end of the last delay. From the {@code max}th failure on,
     * each one delays the next try by {@code first-delay} × 2^(failures - max), at most {@code lock-duration}.
     */
    private boolean slowDown(String key) {
        Integer failures = jdbc.sql("INSERT INTO login_failures (throttle_key, failures, window_start) "
                        + "VALUES (:k, 1, now()) ON CONFLICT (throttle_key) DO UPDATE SET failures = CASE "
                        + "WHEN greatest(login_failures.window_start, coalesce(login_failures.locked_until, "
                        + "login_failures.window_start)) < now() - make_interval(secs => :w) THEN 1 "
                        + "ELSE login_failures.failures + 1 END, window_start = now() RETURNING failures")
                .param("k", key)
                .param("w", (double) limits.window().toSeconds())
                .query(Integer.class)
                .single();
        int max = limits.maxFailuresPerUsername();
        if (failures < max) {
            return false;
        }
        long cap = Math.max(1, limits.lockDuration().toSeconds());
        long first = limits.firstDelay().toSeconds();
        long delay = failures - max >= 30 ? cap : Math.min(cap, first << (failures - max));
        jdbc.sql("UPDATE login_failures SET locked_until = now() + make_interval(secs => :d) WHERE throttle_key = :k")
                .param("d", (double) delay)
                .param("k", key)
                .update();
        return failures == max;
    }

    /** Address: {@code max} failures within {@code window} (from the first) lock it for {@code lock-duration}. */
    private boolean countAndLock(String key, int max) {
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
        jdbc.sql("DELETE FROM login_failures WHERE greatest(window_start, coalesce(locked_until, window_start)) "
                        + "< now() - make_interval(secs => :w)")
                .param("w", (double) limits.window().toSeconds())
                .update();
    }
}
