package ai.agency.auth.oidc;

import ai.agency.auth.account.AccountService;
import ai.agency.auth.audit.AuditLog;
import ai.agency.auth.token.TokenService;
import ai.agency.common.error.AgencyException;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Service;

/**
 * The sign-in flow with a provider: the authorization request (state, nonce and PKCE verifier kept server-side), the
 * callback (code exchanged, ID token validated, account found or created, a one-time code for the console), and the
 * exchange of that code for the platform's own tokens.
 */
@Service
class ProviderSignIn {

    private static final Logger log = LoggerFactory.getLogger(ProviderSignIn.class);

    /** The flow cookie: binds a flow to the browser that started it (HttpOnly, sent only to the OIDC paths). */
    static final String FLOW_COOKIE = "agency_oidc_flow";

    private static final String FLOW_PREFIX = "agb_";

    /** A started flow: the provider's authorization URL, and the flow cookie the browser must hold. */
    record Started(URI authorizationUri, ResponseCookie flowCookie) {}

    /** What the exchange answers: the token pair of a password login, and a re-authentication token. */
    record SignedIn(String accessToken, String refreshToken, String tokenType, long expiresIn, String reauthToken) {}

    private final Providers providers;
    private final PendingAuthorizations pending;
    private final AccountLinker linker;
    private final LoginCodes codes;
    private final ReauthTokens reauthTokens;
    private final AccountService accounts;
    private final AuditLog audit;

    ProviderSignIn(
            Providers providers,
            PendingAuthorizations pending,
            AccountLinker linker,
            LoginCodes codes,
            ReauthTokens reauthTokens,
            AccountService accounts,
            AuditLog audit) {
        this.providers = providers;
        this.pending = pending;
        this.linker = linker;
        this.codes = codes;
        this.reauthTokens = reauthTokens;
        this.accounts = accounts;
        this.audit = audit;
    }

    /**
     * Starts a flow: answers the provider's authorization URL. {@code linkUserId}: a signed-in user links a provider
     * account to theirs. A provider that cannot be reached is a 503 problem.
     */
    Started start(
            String providerId, @Nullable String redirect, @Nullable UUID linkUserId, @Nullable String flowCookie) {
        String redirectPath = RedirectPaths.check(redirect);
        // a browser keeps its flow cookie, so that flows started in two tabs both stay valid
        String browser = flowCookie != null && flowCookie.startsWith(FLOW_PREFIX) && flowCookie.length() <= 64
                ? flowCookie
                : TokenService.newSecret(FLOW_PREFIX);
        Providers.Provider provider = providers.get(providerId);
        String state = TokenService.newSecret("");
        String nonce = TokenService.newSecret("");
        String verifier = new CodeVerifier().getValue();
        URI uri;
        try {
            uri = provider.client().authorizationUri(state, nonce, verifier, providers.redirectUri(provider));
        } catch (SignInFailure e) {
            log.warn("Sign-in with provider {} cannot start: {}", provider.id(), e.getMessage());
            throw AgencyException.unavailable("The provider " + provider.name() + " cannot be reached", e);
        }
        pending.save(
                state,
                new PendingAuthorizations.Pending(
                        TokenService.hash(browser), provider.id(), nonce, verifier, redirectPath, linkUserId));
        ResponseCookie cookie = ResponseCookie.from(FLOW_COOKIE, browser)
                .path("/api/v1/auth/oidc/")
                .httpOnly(true)
                .secure(providers.publicUrlIsHttps())
                .sameSite("Lax")
                .maxAge(PendingAuthorizations.TTL)
                .build();
        return new Started(uri, cookie);
    }

    /**
     * Takes the provider's answer; answers where to send the browser: the console path with {@code #code=…} (or
     * {@code #linked=<provider>} after a link flow), or {@code #error=<short code>} for any failure.
     */
    String callback(
            String providerId,
            @Nullable String code,
            @Nullable String state,
            @Nullable String error,
            @Nullable String flowCookie,
            String address) {
        PendingAuthorizations.Pending request =
                state == null || state.isBlank() ? null : pending.take(state).orElse(null);
        String redirect = request == null ? RedirectPaths.DEFAULT : request.redirectPath();
        try {
            if (request == null || !request.provider().equals(providerId)) {
                throw new SignInFailure("invalid_state", "unknown, expired or already used state");
            }
            if (flowCookie == null || !TokenService.hash(flowCookie).equals(request.browserHash())) {
                // the callback reached another browser than the one that started the flow: login CSRF, or a link
                // flow's URL handed to someone else to attach their provider account to the sender's account
                throw new SignInFailure("browser_mismatch", "the flow was started in another browser");
            }
            if (error != null && !error.isBlank()) {
                throw new SignInFailure("provider_denied", "the provider answered error " + error);
            }
            if (code == null || code.isBlank()) {
                throw new SignInFailure("invalid_request", "no code");
            }
            Providers.Provider provider = providers.get(providerId);
            ProviderUser who = provider.client()
                    .complete(code, request.nonce(), request.codeVerifier(), providers.redirectUri(provider));
            AccountLinker.Outcome outcome = linker.resolve(provider, who, request.linkUserId());
            if (request.linkUserId() != null) {
                return redirect + "#linked=" + encode(provider.id());
            }
            return redirect + "#code=" + encode(codes.issue(outcome.user().id(), provider.id()));
        } catch (SignInFailure e) {
            return failed(providerId, request, e, address, redirect);
        } catch (AgencyException e) {
            return failed(
                    providerId,
                    request,
                    new SignInFailure("invalid_request", String.valueOf(e.getMessage()), e),
                    address,
                    redirect);
        } catch (RuntimeException e) {
            log.error("Sign-in with provider {} failed unexpectedly", providerId, e);
            return failed(providerId, request, new SignInFailure("server_error", "unexpected", e), address, redirect);
        }
    }

    private String failed(
            String providerId,
            PendingAuthorizations.@Nullable Pending request,
            SignInFailure failure,
            String address,
            String redirect) {
        log.info("Sign-in with provider {} failed ({}): {}", providerId, failure.code(), failure.getMessage());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("provider", providerId);
        details.put("address", address);
        details.put("reason", failure.code());
        audit.record(AuditLog.LOGIN_FAILURE, request == null ? null : request.linkUserId(), details);
        return redirect + "#error=" + failure.code();
    }

    /**
     * Exchanges a one-time code for the platform's tokens, as after a password login (a second factor too when the
     * account has one: the code stays usable until it expires so that the console can ask for it). 401 problem for
     * an unknown, expired or used code.
     */
    SignedIn exchange(String code, @Nullable String totpCode, String address) {
        LoginCodes.Holder holder = codes.peek(code)
                .orElseThrow(() -> AgencyException.unauthenticated("The sign-in code is invalid, expired or used"));
        TokenService.TokenPair pair = accounts.loginWithProvider(holder.userId(), holder.provider(), totpCode, address);
        if (!codes.spend(code)) {
            throw AgencyException.unauthenticated("The sign-in code is invalid, expired or used");
        }
        return new SignedIn(
                pair.accessToken(),
                pair.refreshToken(),
                pair.tokenType(),
                pair.expiresIn(),
                reauthTokens.issue(holder.userId()));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
