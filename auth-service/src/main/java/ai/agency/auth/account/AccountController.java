package ai.agency.auth.account;

import ai.agency.auth.token.TokenService;
import ai.agency.common.security.Caller;
import com.fasterxml.jackson.annotation.JsonRawValue;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** Register, log in, refresh, log out, and the caller's own account. */
@RestController
class AccountController {

    private final AccountService accounts;
    private final PasswordPolicy policy;

    AccountController(AccountService accounts, PasswordPolicy policy) {
        this.accounts = accounts;
        this.policy = policy;
    }

    record RegisterRequest(
            @NotBlank
            @Pattern(regexp = "[a-zA-Z0-9_.-]{3,32}", message = "must be 3-32 letters, digits, '_', '.' or '-'")
            String username,

            @NotBlank @Email @Size(max = 254) String email,

            @NotBlank @Size(min = 10, max = 256, message = "must be 10 to 256 characters")
            String password) {}

    record LoginRequest(
            @NotBlank @Size(max = 64) String username,
            @NotBlank @Size(max = 256) String password,

            @Size(max = 32) @Pattern(regexp = "[A-Za-z0-9 -]*", message = "must be digits (or a recovery code)")
            String totpCode) {}

    record RefreshRequest(@NotBlank @Size(max = 256) String refreshToken) {}

    /** Absent and null leave a field alone; {@code profileRole: ""} clears it; preferences merge. */
    record ProfilePatch(
            @Email @Size(min = 3, max = 254) @Nullable String email,
            @Size(max = 500) @Nullable String profileRole,
            @Nullable JsonNode preferences) {}

    record AccountView(UUID id, String username, String email, List<String> roles) {
        static AccountView of(UserAccount user) {
            return new AccountView(user.id(), user.username(), user.email(), user.roles());
        }
    }

    record MeView(
            UUID id,
            String username,
            String email,
            List<String> roles,
            @Nullable String profileRole,
            @JsonRawValue String preferences,
            Instant createdAt) {}

    @PostMapping("/api/v1/auth/register")
    @ResponseStatus(HttpStatus.CREATED)
    AccountView register(@Valid @RequestBody RegisterRequest request) {
        policy.check("password", request.password(), request.username());
        return AccountView.of(
                accounts.register(request.username(), request.email(), request.password(), List.of(Caller.USER)));
    }

    @PostMapping("/api/v1/auth/login")
    TokenService.TokenPair login(@Valid @RequestBody LoginRequest request, HttpServletRequest http) {
        return accounts.login(request.username(), request.password(), request.totpCode(), http.getRemoteAddr());
    }

    @PostMapping("/api/v1/auth/refresh")
    TokenService.TokenPair refresh(@Valid @RequestBody RefreshRequest request) {
        return accounts.refresh(request.refreshToken());
    }

    @PostMapping("/api/v1/auth/logout")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void logout(@Valid @RequestBody RefreshRequest request) {
        accounts.logout(request.refreshToken());
    }

    @GetMapping("/api/v1/users/me")
    MeView me(Caller caller) {
        return meView(accounts.get(caller.id()));
    }

    @PatchMapping("/api/v1/users/me")
    @PreAuthorize("hasAnyRole('user', 'admin')")
    MeView updateMe(Caller caller, @Valid @RequestBody ProfilePatch patch) {
        caller.requireOwnSignIn("change the account");
        return meView(accounts.updateProfile(caller.id(), patch.email(), patch.profileRole(), patch.preferences()));
    }

    private static MeView meView(UserAccount user) {
        return new MeView(
                user.id(),
                user.username(),
                user.email(),
                user.roles(),
                user.profileRole(),
                user.preferencesJson(),
                user.createdAt());
    }
}
