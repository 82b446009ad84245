package ai.agency.auth.oidc;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CookieValue;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Sign-in with OpenID Connect providers and GitHub (public endpoints; the provider's answer is the credential). */
@RestController
class OidcController {

    private final Providers providers;
    private final ProviderSignIn signIn;

    OidcController(Providers providers, ProviderSignIn signIn) {
        this.providers = providers;
        this.signIn = signIn;
    }

    record ProviderView(String id, String name) {}

    record ProviderList(List<ProviderView> items) {}

    record ExchangeRequest(
            @NotBlank @Size(max = 128) String code,

            @Size(max = 32)
            @Pattern(regexp = "[A-Za-z0-9 -]*", message = "must be digits (or a recovery code)")
            @Nullable
            String totpCode) {}

    @GetMapping("/api/v1/auth/oidc/providers")
    ProviderList providers() {
        return new ProviderList(providers.all().stream()
                .map(p -> new ProviderView(p.id(), p.name()))
                .toList());
    }

    @GetMapping("/api/v1/auth/oidc/{provider}/authorize")
    ResponseEntity<Void> authorize(
            @PathVariable String provider,
            @RequestParam(required = false) @Nullable String redirect,
            @CookieValue(name = ProviderSignIn.FLOW_COOKIE, required = false) @Nullable String flowCookie) {
        ProviderSignIn.Started started = signIn.start(provider, redirect, null, flowCookie);
        return ResponseEntity.status(HttpStatus.FOUND)
                .location(started.authorizationUri())
                .header(HttpHeaders.SET_COOKIE, started.flowCookie().toString())
                .cacheControl(CacheControl.noStore())
                .build();
    }

    @GetMapping("/api/v1/auth/oidc/{provider}/callback")
    ResponseEntity<Void> callback(
            @PathVariable String provider,
            @RequestParam(required = false) @Nullable String code,
            @RequestParam(required = false) @Nullable String state,
            @RequestParam(required = false) @Nullable String error,
            @CookieValue(name = ProviderSignIn.FLOW_COOKIE, required = false) @Nullable String flowCookie,
            HttpServletRequest http) {
        String location = signIn.callback(provider, code, state, error, flowCookie, http.getRemoteAddr());
        return ResponseEntity.status(HttpStatus.FOUND)
                .location(URI.create(location))
                .cacheControl(CacheControl.noStore())
                .build();
    }

    @PostMapping("/api/v1/auth/oidc/exchange")
    ResponseEntity<ProviderSignIn.SignedIn> exchange(
            @Valid @RequestBody ExchangeRequest request, HttpServletRequest http) {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                .body(signIn.exchange(request.code(), request.totpCode(), http.getRemoteAddr()));
    }
}
