package ai.agency.auth.account;

import ai.agency.auth.token.TokenService;
import ai.agency.common.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** Password change, log out everywhere, and the admin-initiated password reset. */
@RestController
class PasswordController {

    private final PasswordService passwords;

    PasswordController(PasswordService passwords) {
        this.passwords = passwords;
    }

    record ChangeRequest(
            @NotBlank @Size(max = 256) String currentPassword,

            @NotBlank @Size(min = 10, max = 256, message = "must be 10 to 256 characters")
            String newPassword) {}

    record ResetRequest(
            @NotBlank @Size(max = 64) String username,
            @NotBlank @Size(max = 100) String resetCode,

            @NotBlank @Size(min = 10, max = 256, message = "must be 10 to 256 characters")
            String newPassword) {}

    @PostMapping("/api/v1/users/me/password")
    TokenService.TokenPair change(Caller caller, @Valid @RequestBody ChangeRequest request, HttpServletRequest http) {
        caller.requireOwnSignIn("change the password");
        return passwords.change(caller.id(), request.currentPassword(), request.newPassword(), http.getRemoteAddr());
    }

    @PostMapping("/api/v1/auth/logout-all")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logoutAll(Caller caller) {
        caller.requireOwnSignIn("log the account out everywhere");
        passwords.logoutEverywhere(caller.id());
    }

    @PostMapping("/api/v1/admin/users/{id}/password-reset")
    @ResponseStatus(HttpStatus.CREATED)
    @PreAuthorize("hasRole('admin')")
    PasswordService.ResetCode issueReset(Caller caller, @PathVariable UUID id) {
        return passwords.issueReset(caller.id(), id);
    }

    /** Public: the reset code is the credential. */
    @PostMapping("/api/v1/auth/password-reset")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void reset(@Valid @RequestBody ResetRequest request, HttpServletRequest http) {
        passwords.reset(request.username(), request.resetCode(), request.newPassword(), http.getRemoteAddr());
    }
}
