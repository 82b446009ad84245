package ai.agency.auth.admin;

import ai.agency.auth.account.AccountService;
import ai.agency.auth.account.UserAccount;
import ai.agency.auth.audit.AuditLog;
import ai.agency.auth.key.KeyRotation;
import ai.agency.auth.mfa.MfaService;
import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Admin-only: users and their roles, disabling accounts, signing-key rotation, the audit log. */
@RestController
@PreAuthorize("hasRole('admin')")
class AdminController {

    private final AccountService accounts;
    private final KeyRotation rotation;
    private final AuditLog audit;
    private final MfaService mfa;

    AdminController(AccountService accounts, KeyRotation rotation, AuditLog audit, MfaService mfa) {
        this.accounts = accounts;
        this.rotation = rotation;
        this.audit = audit;
        this.mfa = mfa;
    }

    record UserView(
            UUID id,
            String username,
            String email,
            List<String> roles,
            boolean disabled,
            Instant createdAt,
            @Nullable Instant disabledAt) {
        static UserView of(UserAccount u) {
            return new UserView(
                    u.id(), u.username(), u.email(), u.roles(), u.disabled(), u.createdAt(), u.disabledAt());
        }
    }

    record RolesRequest(@NotEmpty @Size(max = 3) List<@NotBlank @Size(max = 16) String> roles) {}

    record AuditView(long id, String type, UUID userId, UUID actorId, Instant at, Map<String, Object> details) {}

    @GetMapping("/api/v1/admin/users")
    Page<UserView> users(
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        int size = Page.limit(limit);
        Cursor.Keyset after = Cursor.keyset(cursor);
        List<UserAccount> rows =
                accounts.list(after == null ? null : after.createdAt(), after == null ? null : after.id(), size + 1);
        return Page.of(rows, size, UserView::of, u -> Cursor.of(u.createdAt(), u.id()));
    }

    @PutMapping("/api/v1/admin/users/{id}/roles")
    UserView setRoles(Caller caller, @PathVariable UUID id, @Valid @RequestBody RolesRequest request) {
        return UserView.of(accounts.setRoles(caller.id(), id, request.roles()));
    }

    @PostMapping("/api/v1/admin/users/{id}/disable")
    UserView disable(Caller caller, @PathVariable UUID id) {
        return UserView.of(accounts.setDisabled(caller.id(), id, true));
    }

    @PostMapping("/api/v1/admin/users/{id}/enable")
    UserView enable(Caller caller, @PathVariable UUID id) {
        return UserView.of(accounts.setDisabled(caller.id(), id, false));
    }

    /** Turns a user's TOTP off, for a user who lost both the device and the recovery codes. */
    @DeleteMapping("/api/v1/admin/users/{id}/mfa")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void resetMfa(Caller caller, @PathVariable UUID id) {
        if (!mfa.disable(id, caller.id(), "admin")) {
            throw AgencyException.notFound("two-factor authentication of user", id);
        }
    }

    @PostMapping("/api/v1/admin/keys/rotate")
    Map<String, String> rotate(Caller caller) {
        return Map.of("kid", rotation.rotateNow(caller.id()));
    }

    @GetMapping("/api/v1/admin/audit")
    Page<AuditView> audit(
            @RequestParam(required = false) @Nullable UUID userId,
            @RequestParam(required = false) @Nullable @Size(max = 64) String type,
            @RequestParam(required = false) @Nullable Instant from,
            @RequestParam(required = false) @Nullable Instant to,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor) {
        int size = Page.limit(limit);
        List<AuditLog.AuditEvent> rows = audit.find(userId, type, from, to, Cursor.seq(cursor), size + 1);
        return Page.of(
                rows,
                size,
                e -> new AuditView(e.id(), e.type(), e.userId(), e.actorId(), e.at(), e.details()),
                e -> Cursor.of(e.id()));
    }
}
