package ai.agency.auth.oidc;

import ai.agency.auth.account.UserAccount;
import ai.agency.auth.account.UserRepository;
import ai.agency.auth.audit.AuditLog;
import ai.agency.common.security.Caller;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Finds the account a provider sign-in is for. An identity (provider, subject) already linked decides. Otherwise the
 * provider account is linked to an existing account only when the user proved they own it: they started the flow
 * signed in (a link flow), or the provider vouches for the email ({@code email_verified}, GitHub's verified primary
 * email) and it is the account's. Never by an unverified email: that is refused ({@code email_in_use}). Else a new
 * account without a password is created, with a collision-safe username and the roles the provider's claim maps to.
 */
@Service
class AccountLinker {

    private static final int USERNAME_ATTEMPTS = 50;

    /** The account, and how it was found: {@code identity}, {@code signed_in}, {@code verified_email}, {@code new_account}. */
    record Outcome(UserAccount user, String via) {}

    private final IdentityRepository identities;
    private final UserRepository users;
    private final AuditLog audit;

    AccountLinker(IdentityRepository identities, UserRepository users, AuditLog audit) {
        this.identities = identities;
        this.users = users;
        this.audit = audit;
    }

    @Transactional
    Outcome resolve(Providers.Provider provider, ProviderUser who, @Nullable UUID linkUserId) {
        Optional<Identity> known = identities.find(provider.id(), who.subject());
        if (known.isPresent()) {
            Identity identity = known.get();
            if (linkUserId != null && !identity.userId().equals(linkUserId)) {
                throw new SignInFailure("identity_taken", "this provider account is linked to another account");
            }
            if (!Objects.equals(identity.email(), who.email())) {
                identities.updateEmail(identity.id(), who.email());
            }
            return new Outcome(active(identity.userId()), "identity");
        }
        if (linkUserId != null) {
            return link(active(linkUserId), provider, who, "signed_in");
        }
        String email = who.email();
        if (email == null || email.isBlank()) {
            throw new SignInFailure("email_required", "the provider told no email address");
        }
        Optional<UserAccount> owner = users.findByEmail(email);
        if (owner.isPresent()) {
            if (!who.emailVerified()) {
                throw new SignInFailure(
                        "email_in_use", "an account has this email, which the provider does not vouch for");
            }
            return link(active(owner.get().id()), provider, who, "verified_email");
        }
        return link(create(provider, who, email), provider, who, "new_account");
    }

    private UserAccount create(Providers.Provider provider, ProviderUser who, String email) {
        List<String> roles = roles(provider, who);
        String base = Usernames.base(who.preferredUsername(), email);
        for (int attempt = 1; attempt <= USERNAME_ATTEMPTS; attempt++) {
            String username = attempt < USERNAME_ATTEMPTS
                    ? Usernames.candidate(base, attempt)
                    : Usernames.candidate(base, 1000 + (int) (Math.random() * 9000));
            if (users.usernameTaken(username)) {
                continue;
            }
            UUID id = UUID.randomUUID();
            if (users.insertWithoutPassword(id, username, email, roles)) {
                return users.findById(id).orElseThrow();
            }
            if (users.findByEmail(email).isPresent()) {
                throw new SignInFailure("email_in_use", "a concurrent sign-up took this email");
            }
        }
        throw new SignInFailure("username_unavailable", "no free username derived from " + base);
    }

    /** The roles the provider's claim maps to, or {@code user}; never one the mapping does not name. */
    static List<String> roles(Providers.Provider provider, ProviderUser who) {
        Map<String, String> mapping = provider.settings().roleMapping();
        List<String> mapped = who.roleClaimValues().stream()
                .map(mapping::get)
                .filter(Objects::nonNull)
                .distinct()
                .sorted()
                .toList();
        return mapped.isEmpty() ? List.of(Caller.USER) : mapped;
    }

    private Outcome link(UserAccount user, Providers.Provider provider, ProviderUser who, String via) {
        if (!identities.insert(user.id(), provider.id(), who.subject(), who.email())) {
            throw new SignInFailure("identity_taken", "this provider account was linked meanwhile");
        }
        audit.record(AuditLog.IDENTITY_LINKED, user.id(), Map.of("provider", provider.id(), "via", via));
        return new Outcome(user, via);
    }

    private UserAccount active(UUID userId) {
        UserAccount user = users.findById(userId)
                .orElseThrow(() -> new SignInFailure("account_disabled", "the account no longer exists"));
        if (user.disabled()) {
            throw new SignInFailure("account_disabled", "the account is disabled");
        }
        return user;
    }
}
