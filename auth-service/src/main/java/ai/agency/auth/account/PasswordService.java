package ai.agency.auth.account;

import ai.agency.auth.AuthProperties;
import ai.agency.auth.audit.AuditLog;
import ai.agency.auth.revocation.RevocationPublisher;
import ai.agency.auth.token.TokenService;
import ai.agency.common.error.AgencyException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Password change, "log out everywhere", and the admin-initiated reset (a one-time code the admin hands over; no
 * mail server needed). Each revokes the user's refresh tokens and, through the revocation feed, every access token
 * issued before at every service. Password hashes and checks run before the transaction that writes, never inside
 * it ({@link PasswordHasher}).
 */
@Service
public class PasswordService {

    public static final String RESET_PREFIX = "agp_";

    /** A reset code just issued: the only time it is shown. */
    public record ResetCode(String resetCode, Instant expiresAt) {}

    private final UserRepository users;
    private final AccountService accounts;
    private final TokenService tokens;
    private final RevocationPublisher revocations;
    private final PasswordPolicy policy;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final JdbcClient jdbc;
    private final AuthProperties properties;
    private final PasswordHasher passwords;
    private final TransactionTemplate transactions;

    PasswordService(
            UserRepository users,
            AccountService accounts,
            TokenService tokens,
            RevocationPublisher revocations,
            PasswordPolicy policy,
            LoginThrottle throttle,
            AuditLog audit,
            JdbcClient jdbc,
            AuthProperties properties,
            PasswordHasher passwords,
            TransactionTemplate transactions) {
        this.users = users;
        this.accounts = accounts;
        this.tokens = tokens;
        this.revocations = revocations;
        this.policy = policy;
        this.throttle = throttle;
        this.audit = audit;
        this.jdbc = jdbc;
        this.properties = properties;
        this.passwords = passwords;
        this.transactions = transactions;
    }

    /**
     * Changes the caller's password after checking the current one (a wrong one counts toward the login limits);
     * every other session of the user ends. Answers the new token pair of this session.
     */
    public TokenService.TokenPair change(UUID userId, String currentPassword, String newPassword, String address) {
        UserAccount user = accounts.get(userId);
        if (!user.hasPassword()) {
            // an account created by a provider sign-in: its first password comes from an admin's reset code
            throw AgencyException.conflict("This account has no password: it signs in with a provider. An admin can "
                            + "issue a reset code to set a first password")
                    .withProperty("reason", "no_password");
        }
        accounts.reauthenticate(userId, currentPassword, null, address);
        policy.check("newPassword", newPassword, user.username());
        if (passwords.matches(newPassword, user.passwordHash())) {
            throw AgencyException.invalidField("newPassword", "must differ from the current password");
        }
        String hash = passwords.hash(newPassword);
        return transactions.execute(status -> {
            replace(user, hash, RevocationPublisher.Reason.PASSWORD_CHANGED);
            audit.record(AuditLog.PASSWORD_CHANGED, userId, Map.of("address", address));
            return tokens.issue(users.findById(userId).orElseThrow().subject());
        });
    }

    /** Ends every session of the user: refresh tokens now, access tokens through the revocation feed. */
    @Transactional
    public void logoutEverywhere(UUID userId) {
        accounts.get(userId);
        int refresh = tokens.revokeAll(userId);
        revocations.revokeUserTokens(userId, RevocationPublisher.Reason.LOGOUT_ALL);
        audit.record(AuditLog.LOGOUT_ALL, userId, Map.of("refreshTokensRevoked", refresh));
    }

    /** An admin issues a one-time reset code for a user (earlier unused codes of the user stop working). */
    @Transactional
    public ResetCode issueReset(UUID adminId, UUID userId) {
        UserAccount user = users.findById(userId).orElseThrow(() -> AgencyException.notFound("user", userId));
        jdbc.sql("UPDATE password_resets SET used_at = now() WHERE user_id = :u AND used_at IS NULL")
                .param("u", user.id())
                .update();
        String code = TokenService.newSecret(RESET_PREFIX);
        Instant expiresAt = Instant.now().plus(properties.passwordResetTtl());
        jdbc.sql("INSERT INTO password_resets (code_hash, user_id, created_by, expires_at) VALUES (:h, :u, :a, :e)")
                .param("h", TokenService.hash(code))
                .param("u", user.id())
                .param("a", adminId)
                .param("e", Timestamp.from(expiresAt))
                .update();
        audit.record(AuditLog.PASSWORD_RESET_ISSUED, user.id(), adminId, Map.of("expiresAt", expiresAt.toString()));
        return new ResetCode(code, expiresAt);
    }

    /**
     * Sets a new password with a reset code (public: the code is the credential). A wrong, used or expired code is a
     * 401 and counts toward the login limits of the username and the address, like a failed login.
     */
    public void reset(String username, @Nullable String resetCode, String newPassword, String address) {
        throttle.checkNotLocked(username, address);
        UserAccount user = users.findByUsername(username).orElse(null);
        boolean usable = user != null
                && !user.disabled()
                && resetCode != null
                && resetCode.startsWith(RESET_PREFIX)
                && jdbc.sql("SELECT count(*) FROM password_resets WHERE code_hash = :h AND user_id = :u "
                                        + "AND used_at IS NULL AND expires_at > now()")
                                .param("h", TokenService.hash(resetCode))
                                .param("u", user.id())
                                .query(Long.class)
                                .single()
                        > 0;
        if (user == null || resetCode == null || !usable) {
            throw failedReset(user, username, address);
        }
        policy.check("newPassword", newPassword, user.username());
        String hash = passwords.hash(newPassword);
        // the code is spent together with the new hash; a code spent meanwhile by a concurrent reset changes nothing
        boolean replaced = Boolean.TRUE.equals(transactions.execute(status -> {
            boolean spent = jdbc.sql("UPDATE password_resets SET used_at = now() WHERE code_hash = :h "
                                    + "AND user_id = :u AND used_at IS NULL AND expires_at > now()")
                            .param("h", TokenService.hash(resetCode))
                            .param("u", user.id())
                            .update()
                    == 1;
            if (spent) {
                replace(user, hash, RevocationPublisher.Reason.PASSWORD_RESET);
            }
            return spent;
        }));
        if (!replaced) {
            throw failedReset(user, username, address);
        }
        throttle.recordSuccess(username, address);
        audit.record(AuditLog.PASSWORD_RESET, user.id(), Map.of("address", address));
    }

    /** Counts a failed reset toward the login limits, audits it, and answers the 401 to throw. */
    private AgencyException failedReset(@Nullable UserAccount user, String username, String address) {
        throttle.recordFailure(username, address);
        audit.record(
                AuditLog.PASSWORD_RESET_FAILURE,
                user == null ? null : user.id(),
                Map.of("username", username, "address", address));
        return AgencyException.unauthenticated("The reset code is invalid, expired or already used");
    }

    private void replace(UserAccount user, String newHash, RevocationPublisher.Reason reason) {
        users.setPasswordHash(user.id(), newHash);
        tokens.revokeAll(user.id());
        revocations.revokeUserTokens(user.id(), reason);
    }

    /** Forgets reset codes a day after they expired. */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT20M")
    void forgetExpired() {
        jdbc.sql("DELETE FROM password_resets WHERE expires_at < now() - interval '1 day'")
                .update();
    }
}
