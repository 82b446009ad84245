package ai.agency.auth.apikey;

import ai.agency.auth.token.TokenService;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The caller's API keys, and the exchange of a key for an access token (used by the gateway). */
@RestController
class ApiKeyController {

    private final ApiKeyService keys;

    ApiKeyController(ApiKeyService keys) {
        this.keys = keys;
    }

    record CreateRequest(
            @NotBlank
            @Size(max = 100)
            @Pattern(regexp = "[\\p{L}\\p{N} _.:/@-]+", message = "may contain letters, digits, spaces and _.:/@-")
            String name,

            @NotEmpty @Size(max = 4) List<@NotBlank @Size(max = 32) String> scopes) {}

    record ExchangeRequest(@Size(max = 100) String key) {}

    @PostMapping("/api/v1/auth/api-keys")
    @ResponseStatus(HttpStatus.CREATED)
    @PreAuthorize("hasAnyRole('user', 'admin')")
    ApiKeyService.CreatedKey create(Caller caller, @Valid @RequestBody CreateRequest request) {
        return keys.create(caller, request.name().strip(), request.scopes());
    }

    /** All active keys (at most 100 per user), so never a next page. */
    @GetMapping("/api/v1/auth/api-keys")
    Page<ApiKeyService.ApiKey> list(Caller caller) {
        return Page.all(keys.list(caller.id()));
    }

    @DeleteMapping("/api/v1/auth/api-keys/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @PreAuthorize("hasAnyRole('user', 'admin')")
    void revoke(Caller caller, @PathVariable UUID id) {
        keys.revoke(caller.id(), id);
    }

    /** Public: the key itself is the credential, in {@code X-API-Key} or the body's {@code key}. */
    @PostMapping("/api/v1/auth/api-keys/exchange")
    TokenService.AccessToken exchange(
            @RequestHeader(name = "X-API-Key", required = false) @Nullable String header,
            @Valid @RequestBody(required = false) @Nullable ExchangeRequest request) {
        return keys.exchange(header != null ? header : request == null ? null : request.key());
    }
}
