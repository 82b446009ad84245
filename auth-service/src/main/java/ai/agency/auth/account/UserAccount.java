package ai.agency.auth.account;

import ai.agency.auth.token.TokenSubject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A row of {@code auth.users}; {@code tokenVersion} is the {@code ver} its new access tokens carry. */
public record UserAccount(
        UUID id,
        String username,
        String email,
        @Nullable String passwordHash,
        List<String> roles,
        @Nullable String profileRole,
        String preferencesJson,
        Instant createdAt,
        @Nullable Instant disabledAt,
        int tokenVersion) {

    /** False for an account created by a provider sign-in whose owner has not set a password. */
    public boolean hasPassword() {
        return passwordHash != null;
    }

    public boolean disabled() {
        return disabledAt != null;
    }

    /** What of this account its access tokens carry. */
    public TokenSubject subject() {
        return new TokenSubject(id, username, roles, tokenVersion);
    }
}
