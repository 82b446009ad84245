package ai.agency.auth.account;

import ai.agency.auth.audit.AuditLog;
import ai.agency.auth.mfa.MfaService;
import ai.agency.auth.revocation.RevocationPublisher;
import ai.agency.auth.token.TokenService;
import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Registration, credential checks, profiles and the admin's account management. */
@Service
public class AccountService {

    public static final Set<String> ROLES = Set.of(Caller.ADMIN, Caller.USER, Caller.VIEWER);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final UserRepository users;
    private final TokenService tokens;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final MfaService mfa;
    private final RevocationPublisher revocations;
    private final PasswordHasher passwords;

    public AccountService(
            UserRepository users,
            TokenService tokens,
            LoginThrottle throttle,
            AuditLog audit,
            MfaService mfa,
            PasswordHasher passwords,
            RevocationPublisher revocations) {
        this.revocations = revocations;
        this.users = users;
        this.tokens = tokens;
        this.throttle = throttle;
        this.audit = audit;
        this.mfa = mfa;
        this.passwords = passwords;
    }

    /**
     * Creates an account. Not a transaction: the hash (the slow part, bounded by {@link PasswordHasher}) is computed
     * before the insert, so no database connection is held while it runs; the insert alone is atomic.
     */
    public UserAccount register(String username, String email, String password, List<String> roles) {
        if (users.existsByUsernameOrEmail(username, email)) {
            throw AgencyException.conflict("That username or email is already registered");
        }
        String hash = passwords.hash(password);
        UUID id = UUID.randomUUID();
        if (!users.insert(id, username, email, hash, roles)) {
            throw AgencyException.conflict("That username or email is already registered");
        }
        return users.findById(id).orElseThrow();
    }

    /**
     * Checks the credentials, and the second factor when the user turned TOTP on. Past the failure limits of the
     * username or the client address the answer is a 429 problem, before the password is even looked at. A missing or
     * wrong second factor counts as a failed login; the problem's {@code reason} tells {@code mfa_required},
     * {@code mfa_invalid_code} and {@code mfa_code_used} apart (only after the right password).
     */
    public TokenService.TokenPair login(
            String username, String password, @Nullable String totpCode, String clientAddress) {
        throttle.checkNotLocked(username, clientAddress);
        Optional<UserAccount> user = users.findByUsername(username);
        // an unknown user is checked against a dummy hash, so a login takes about as long either way
        boolean matches =
                passwords.matches(password, user.map(UserAccount::passwordHash).orElse(null));
        if (user.isEmpty() || !matches) {
            throw failedLogin(
                    user.map(UserAccount::id).orElse(null),
                    username,
                    clientAddress,
                    "bad_credentials",
                    "Wrong username or password");
        }
        UUID userId = user.get().id();
        if (user.get().disabled()) {
            audit.record(
                    AuditLog.LOGIN_FAILURE,
                    userId,
                    Map.of("username", username, "address", clientAddress, "reason", "disabled"));
            throw AgencyException.unauthenticated("This account is disabled");
        }
        if (mfa.enabled(userId)) {
            if (totpCode == null || totpCode.isBlank()) {
                throw failedLogin(
                        userId,
                        username,
                        clientAddress,
                        "mfa_required",
                        "This account uses two-factor authentication: send totpCode, the current code of your "
                                + "authenticator app or one of your recovery codes");
            }
            MfaService.Check check = mfa.verify(userId, totpCode);
            if (check == MfaService.Check.REUSED) {
                throw failedLogin(
                        userId,
                        username,
                        clientAddress,
                        "mfa_code_used",
                        "This code was already used; wait for the next one of your authenticator app");
            }
            if (!check.accepted()) {
                throw failedLogin(
                        userId,
                        username,
                        clientAddress,
                        "mfa_invalid_code",
                        "The two-factor code is wrong or expired (check the device clock), or the recovery code "
                                + "was already used");
            }
        }
        throttle.recordSuccess(username, clientAddress);
        audit.record(AuditLog.LOGIN_SUCCESS, userId, Map.of("address", clientAddress));
        return tokens.issue(user.get().subject());
    }

    /**
     * Signs in a user whom a provider authenticated (an OpenID Connect or GitHub sign-in, after the one-time code of
     * its callback): the same token pair, audit event and second-factor check as a password login. The audit's
     * {@code provider} detail names the provider.
     */
    public TokenService.TokenPair loginWithProvider(
            UUID userId, String provider, @Nullable String totpCode, String clientAddress) {
        UserAccount user = users.findById(userId)
                .orElseThrow(() -> AgencyException.unauthenticated("The account no longer exists"));
        if (user.disabled()) {
            audit.record(
                    AuditLog.LOGIN_FAILURE,
                    userId,
                    Map.of("provider", provider, "address", clientAddress, "reason", "disabled"));
            throw AgencyException.unauthenticated("This account is disabled");
        }
        if (mfa.enabled(userId)) {
            MfaService.Check check =
                    totpCode == null || totpCode.isBlank() ? MfaService.Check.INVALID : mfa.verify(userId, totpCode);
            if (!check.accepted()) {
                String reason = totpCode == null || totpCode.isBlank()
                        ? "mfa_required"
                        : check == MfaService.Check.REUSED ? "mfa_code_used" : "mfa_invalid_code";
                throw failedLogin(
                        userId,
                        user.username(),
                        clientAddress,
                        reason,
                        "This account uses two-factor authentication: send the code again with totpCode");
            }
        }
        audit.record(AuditLog.LOGIN_SUCCESS, userId, Map.of("address", clientAddress, "provider", provider));
        return tokens.issue(user.subject());
    }

    /** Counts a failed login toward the limits, audits it, and answers the 401 to throw. */
    private AgencyException failedLogin(
            @Nullable UUID userId, String username, String clientAddress, String reason, String detail) {
        boolean locked = throttle.recordFailure(username, clientAddress);
        audit.record(
                AuditLog.LOGIN_FAILURE,
                userId,
                Map.of("username", username, "address", clientAddress, "reason", reason));
        if (locked) {
            audit.record(AuditLog.LOGIN_LOCKED, userId, Map.of("username", username, "address", clientAddress));
        }
        return AgencyException.unauthenticated(detail).withProperty("reason", reason);
    }

    /**
     * Proves again that the caller is the account's owner before a change to its second factor: a current TOTP code
     * or an unused recovery code when TOTP is on, else (or instead) the password. Failures count toward the login
     * limits of the account's name and the client address, so a stolen access token cannot be used to guess the
     * password here. Answers how the caller proved it ({@code totp}, {@code recovery_code}, {@code password}).
     */
    public String reauthenticate(UUID userId, @Nullable String password, @Nullable String code, String clientAddress) {
        UserAccount user = get(userId);
        throttle.checkNotLocked(user.username(), clientAddress);
        String reason;
        if (code != null && !code.isBlank() && mfa.enabled(userId)) {
            MfaService.Check check = mfa.verify(userId, code);
            if (check.accepted()) {
                return check == MfaService.Check.TOTP ? "totp" : "recovery_code";
            }
            reason = check == MfaService.Check.REUSED ? "mfa_code_used" : "mfa_invalid_code";
        } else if (password != null && !password.isBlank()) {
            if (passwords.matches(password, user.passwordHash())) {
                return "password";
            }
            reason = "bad_credentials";
        } else {
            throw AgencyException.invalid(
                    "Confirm this change with your password, or with a current code when two-factor authentication is on");
        }
        boolean locked = throttle.recordFailure(user.username(), clientAddress);
        audit.record(
                AuditLog.REAUTH_FAILURE,
                userId,
                Map.of("username", user.username(), "address", clientAddress, "reason", reason));
        if (locked) {
            audit.record(AuditLog.LOGIN_LOCKED, userId, Map.of("username", user.username(), "address", clientAddress));
        }
        throw AgencyException.forbidden("The password or code does not confirm this change")
                .withProperty("reason", reason);
    }

    @Transactional(noRollbackFor = AgencyException.class)
    public TokenService.TokenPair refresh(String refreshToken) {
        TokenService.RefreshResult result = tokens.refresh(refreshToken);
        UserAccount user = users.findById(result.userId())
                .orElseThrow(() -> AgencyException.unauthenticated("The account no longer exists"));
        if (user.disabled()) {
            tokens.revokeAll(user.id());
            throw AgencyException.unauthenticated("This account is disabled");
        }
        audit.record(AuditLog.TOKEN_REFRESH, user.id(), Map.of());
        return new TokenService.TokenPair(
                tokens.accessToken(user.subject()),
                result.nextRefreshToken(),
                "Bearer",
                tokens.accessTokenTtlSeconds());
    }

    @Transactional
    public void logout(String refreshToken) {
        tokens.revoke(refreshToken).ifPresent(userId -> audit.record(AuditLog.LOGOUT, userId, Map.of()));
    }

    /** The caller's account; 401 when it was disabled or deleted since the token was issued. */
    public UserAccount get(UUID id) {
        return users.findById(id)
                .filter(u -> !u.disabled())
                .orElseThrow(() -> AgencyException.unauthenticated("This account is disabled or no longer exists"));
    }

    /** An active account that may be used to mint tokens (API keys, tickets). */
    public Optional<UserAccount> findActive(UUID id) {
        return users.findById(id).filter(u -> !u.disabled());
    }

    public boolean isDisabled(UUID id) {
        return users.isDisabled(id);
    }

    /**
     * Changes the caller's profile. {@code preferences} is merged key by key into the stored object; a key whose
     * value is null is removed. An empty {@code profileRole} clears it.
     */
    @Transactional
    public UserAccount updateProfile(
            UUID id, @Nullable String email, @Nullable String profileRole, @Nullable JsonNode preferences) {
        get(id);
        String toSet = "{}";
        List<String> toDelete = new ArrayList<>();
        if (preferences != null && !preferences.isNull()) {
            if (!preferences.isObject()) {
                throw AgencyException.invalidField("preferences", "must be a JSON object");
            }
            ObjectNode set = JSON.createObjectNode();
            for (var entry : preferences.properties()) {
                if (entry.getKey().isBlank() || entry.getKey().length() > 100) {
                    throw AgencyException.invalidField("preferences", "keys must be 1 to 100 characters");
                }
                if (entry.getValue().isNull()) {
                    toDelete.add(entry.getKey());
                } else {
                    set.set(entry.getKey(), entry.getValue());
                }
            }
            toSet = JSON.writeValueAsString(set);
            if (toSet.length() > 16_384) {
                throw AgencyException.invalidField("preferences", "must be at most 16 KB of JSON");
            }
        }
        if (email != null && users.emailTakenByOther(email, id)) {
            throw AgencyException.conflict("That email is already registered");
        }
        boolean clearRole = profileRole != null && profileRole.isBlank();
        if (!users.updateProfile(id, email, clearRole ? null : profileRole, clearRole, toSet, toDelete)) {
            throw AgencyException.conflict("That email is already registered");
        }
        UserAccount updated = users.findById(id).orElseThrow();
        if (updated.preferencesJson().length() > 65_536) {
            throw AgencyException.invalidField("preferences", "the stored preferences would exceed 64 KB");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("emailChanged", email != null);
        details.put("profileRoleChanged", profileRole != null);
        details.put("preferenceKeys", preferences == null ? 0 : preferences.size());
        audit.record(AuditLog.PROFILE_UPDATED, id, details);
        return updated;
    }

    /** One page of accounts, oldest first. */
    public List<UserAccount> list(@Nullable Instant afterCreatedAt, @Nullable UUID afterId, int limit) {
        return users.page(afterCreatedAt, afterId, limit);
    }

    @Transactional
    public UserAccount setRoles(UUID actorId, UUID userId, List<String> roles) {
        List<String> distinct = roles.stream().distinct().sorted().toList();
        for (String role : distinct) {
            if (!ROLES.contains(role)) {
                throw AgencyException.invalidField("roles", "each role must be one of admin, user, viewer");
            }
        }
        UserAccount user = users.findById(userId).orElseThrow(() -> AgencyException.notFound("user", userId));
        if (user.roles().contains(Caller.ADMIN)
                && !distinct.contains(Caller.ADMIN)
                && !users.otherActiveAdminExists(userId)) {
            throw AgencyException.conflict("This is the last active admin; make someone else admin first");
        }
        users.setRoles(userId, distinct);
        if (!distinct.equals(user.roles().stream().distinct().sorted().toList())) {
            // tokens carry roles: every token issued with the old ones stops working; a refresh gets the new ones
            revocations.revokeUserTokens(userId, RevocationPublisher.Reason.ROLES_CHANGED);
        }
        audit.record(AuditLog.ROLES_CHANGED, userId, actorId, Map.of("from", user.roles(), "to", distinct));
        return users.findById(userId).orElseThrow();
    }

    /**
     * Disables (or re-enables) an account. Disabling revokes every refresh token, and every access token at every
     * service through the revocation feed.
     */
    @Transactional
    public UserAccount setDisabled(UUID actorId, UUID userId, boolean disabled) {
        UserAccount user = users.findById(userId).orElseThrow(() -> AgencyException.notFound("user", userId));
        if (disabled && user.roles().contains(Caller.ADMIN) && !users.otherActiveAdminExists(userId)) {
            throw AgencyException.conflict("This is the last active admin; it cannot be disabled");
        }
        if (!disabled && users.beingErased(userId)) {
            throw AgencyException.conflict("This account is being erased; it cannot be enabled again");
        }
        users.setDisabled(userId, disabled);
        if (disabled) {
            int revoked = tokens.revokeAll(userId);
            revocations.revokeUserTokens(userId, RevocationPublisher.Reason.USER_DISABLED);
            audit.record(AuditLog.USER_DISABLED, userId, actorId, Map.of("refreshTokensRevoked", revoked));
        } else {
            audit.record(AuditLog.USER_ENABLED, userId, actorId, Map.of());
        }
        return users.findById(userId).orElseThrow();
    }
}
