package ai.agency.auth.account;

import ai.agency.auth.mfa.MfaService;
import ai.agency.common.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's own second factor. Every path acts on the caller's account only (there is no user id in them); an
 * admin can turn a user's TOTP off through {@code DELETE /api/v1/admin/users/{id}/mfa}. Any role may protect its
 * account, viewers included. It lives with the accounts, not in {@code mfa}: every change re-authenticates the
 * account (password or a current code), and {@code mfa} stays free of accounts, which use it at login.
 */
@RestController
class MfaController {

    private static final String CODE_PATTERN = "[A-Za-z0-9 -]*";

    private final MfaService mfa;
    private final AccountService accounts;

    MfaController(MfaService mfa, AccountService accounts) {
        this.mfa = mfa;
        this.accounts = accounts;
    }

    record EnrolRequest(@NotBlank @Size(max = 256) String password) {}

    record ConfirmRequest(
            @NotBlank @Size(max = 32) @Pattern(regexp = CODE_PATTERN, message = "must be the 6-digit code")
            String code) {}

    /** Either a current code (TOTP or recovery) or the password. */
    record ReauthRequest(
            @Size(max = 32) @Pattern(regexp = CODE_PATTERN, message = "must be a 6-digit or recovery code")
            String code,

            @Size(max = 256) String password) {}

    record RecoveryCodes(boolean enabled, List<String> recoveryCodes) {}

    @GetMapping("/api/v1/auth/mfa")
    MfaService.Status status(Caller caller) {
        accounts.get(caller.id());
        return mfa.status(caller.id());
    }

    @PostMapping("/api/v1/auth/mfa/totp")
    @ResponseStatus(HttpStatus.CREATED)
    MfaService.Enrolment enrol(Caller caller, @Valid @RequestBody EnrolRequest request, HttpServletRequest http) {
        caller.requireOwnSignIn("change two-factor authentication");
        accounts.reauthenticate(caller.id(), request.password(), null, http.getRemoteAddr());
        return mfa.enrol(caller.id(), accounts.get(caller.id()).username());
    }

    @PostMapping("/api/v1/auth/mfa/totp/confirm")
    RecoveryCodes confirm(Caller caller, @Valid @RequestBody ConfirmRequest request) {
        caller.requireOwnSignIn("change two-factor authentication");
        accounts.get(caller.id());
        return new RecoveryCodes(true, mfa.confirm(caller.id(), request.code()));
    }

    /**
     * Turns TOTP off. Also as {@code POST /api/v1/auth/mfa/totp/disable}, for clients and proxies that drop the body
     * of a DELETE.
     */
    @DeleteMapping("/api/v1/auth/mfa/totp")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void disable(Caller caller, @Valid @RequestBody ReauthRequest request, HttpServletRequest http) {
        caller.requireOwnSignIn("change two-factor authentication");
        if (mfa.status(caller.id()).totp().equals("disabled")) {
            throw ai.agency.common.error.AgencyException.notFound("two-factor authentication of user", caller.id());
        }
        if (request.code() == null || request.code().isBlank()) {
            // the password alone is what a phished or shoulder-surfed session knows; the second factor must agree
            throw ai.agency.common.error.AgencyException.invalidField(
                    "code", "turning two-factor authentication off needs a current code or a recovery code");
        }
        String method = accounts.reauthenticate(caller.id(), null, request.code(), http.getRemoteAddr());
        mfa.disable(caller.id(), null, method);
    }

    @PostMapping("/api/v1/auth/mfa/totp/disable")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void disableByPost(Caller caller, @Valid @RequestBody ReauthRequest request, HttpServletRequest http) {
        disable(caller, request, http);
    }

    @PostMapping("/api/v1/auth/mfa/recovery-codes")
    RecoveryCodes regenerate(Caller caller, @Valid @RequestBody ReauthRequest request, HttpServletRequest http) {
        caller.requireOwnSignIn("change two-factor authentication");
        if (!mfa.enabled(caller.id())) {
            throw ai.agency.common.error.AgencyException.conflict("Two-factor authentication is not on");
        }
        accounts.reauthenticate(caller.id(), request.password(), request.code(), http.getRemoteAddr());
        return new RecoveryCodes(true, mfa.regenerateRecoveryCodes(caller.id()));
    }
}
