package ai.agency.auth.oidc;

import ai.agency.common.security.Caller;
import jakarta.validation.Valid;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The caller's linked provider accounts: list, link (a flow bound to the caller), unlink. */
@RestController
class IdentityController {

    private final IdentityService identities;
    private final ProviderSignIn signIn;

    IdentityController(IdentityService identities, ProviderSignIn signIn) {
        this.identities = identities;
        this.signIn = signIn;
    }

    record IdentityView(
            UUID id,
            String provider,
            String subject,
            @Nullable String email,
            Instant linkedAt) {}

    record IdentityList(List<IdentityView> items) {}

    record LinkRequest(@Nullable String redirect) {}

    record LinkStart(String authorizeUrl) {}

    @GetMapping("/api/v1/users/me/identities")
    IdentityList list(Caller caller) {
        return new IdentityList(identities.list(caller.id()).stream()
                .map(i -> new IdentityView(i.id(), i.provider(), i.subject(), i.email(), i.linkedAt()))
                .toList());
    }

    /** Starts a link flow: the browser goes to {@code authorizeUrl}; the callback links to the caller's account. */
    @PostMapping("/api/v1/users/me/identities/{provider}")
    ResponseEntity<LinkStart> link(
            Caller caller,
            @PathVariable String provider,
            @Valid @RequestBody(required = false) @Nullable LinkRequest request,
            @CookieValue(name = ProviderSignIn.FLOW_COOKIE, required = false) @Nullable String flowCookie) {
        caller.requireOwnSignIn("link a provider account");
        ProviderSignIn.Started started =
                signIn.start(provider, request == null ? null : request.redirect(), caller.id(), flowCookie);
        return ResponseEntity.ok()
                .header(HttpHeaders.SET_COOKIE, started.flowCookie().toString())
                .cacheControl(CacheControl.noStore())
                .body(new LinkStart(started.authorizationUri().toString()));
    }

    @DeleteMapping("/api/v1/users/me/identities/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void unlink(Caller caller, @PathVariable UUID id) {
        caller.requireOwnSignIn("unlink a provider account");
        identities.unlink(caller.id(), id);
    }
}
