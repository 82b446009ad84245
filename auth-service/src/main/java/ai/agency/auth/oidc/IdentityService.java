package ai.agency.auth.oidc;

import ai.agency.auth.account.AccountService;
import ai.agency.auth.account.UserAccount;
import ai.agency.auth.audit.AuditLog;
import ai.agency.common.error.AgencyException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** A user's linked provider accounts: list and unlink, never the last way to sign in. */
@Service
class IdentityService {

    private final IdentityRepository identities;
    private final AccountService accounts;
    private final AuditLog audit;

    IdentityService(IdentityRepository identities, AccountService accounts, AuditLog audit) {
        this.identities = identities;
        this.accounts = accounts;
        this.audit = audit;
    }

    List<Identity> list(UUID userId) {
        return identities.ofUser(userId);
    }

    /** 404 for an identity that is not the caller's; 409 when it is the last way to sign in. */
    @Transactional
    void unlink(UUID userId, UUID identityId) {
        UserAccount user = accounts.get(userId);
        List<Identity> linked = identities.ofUser(userId);
        Identity identity = linked.stream()
                .filter(i -> i.id().equals(identityId))
                .findFirst()
                .orElseThrow(() -> AgencyException.notFound("identity", identityId));
        if (!user.hasPassword() && linked.size() == 1) {
            throw AgencyException.conflict(
                            "This is the account's last way to sign in: set a password or link another provider first")
                    .withProperty("reason", "last_sign_in_method");
        }
        identities.delete(userId, identityId);
        audit.record(AuditLog.IDENTITY_UNLINKED, userId, Map.of("provider", identity.provider()));
    }
}
