package ai.agency.common.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.util.AntPathMatcher;

/**
 * The platform's one scope rule, applied by every service to every path that needs a token: {@code manage_users}
 * for {@code /api/v1/admin/**}; {@code read} for GET, HEAD and OPTIONS and for the POSTs that only read
 * ({@code agency.security.read-only-posts}: a search, an analysis, a WebSocket ticket, the MCP endpoint, whose
 * {@code tools/call} tool-service checks itself); {@code delete} for DELETE; {@code write} for every other POST, PUT
 * and PATCH; {@code account_data} (and nothing else) for {@code /internal/account-data/**}, where auth-service's export
 * and erasure jobs read and erase a user's data. A token lacking the scope gets a 403 problem, whatever its roles say: scopes narrow roles. One
 * exception: a token obtained from an API key may always {@code DELETE /api/v1/auth/api-keys/{its own id}}.
 */
public final class ScopeRule implements AuthorizationManager<RequestAuthorizationContext> {

    public static final String READ = "read";
    public static final String WRITE = "write";
    public static final String DELETE = "delete";
    public static final String MANAGE_USERS = "manage_users";
    /**
     * The scope of auth-service's export and erasure jobs, and the only one that reaches {@code
     * /internal/account-data/**}; never in a login's token or an API key's.
     */
    public static final String ACCOUNT_DATA = "account_data";

    private static final AntPathMatcher PATHS = new AntPathMatcher();
    private final List<String> readOnlyPosts;

    public ScopeRule(List<String> readOnlyPosts) {
        this.readOnlyPosts = List.copyOf(readOnlyPosts);
    }

    @Override
    public AuthorizationResult authorize(
            Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Authentication auth = authentication.get();
        if (auth == null || !auth.isAuthenticated() || auth.getPrincipal() == null || isAnonymous(auth)) {
            return new AuthorizationDecision(false);
        }
        if (revokesItself(auth, context.getRequest())) {
            return new Decision(true, DELETE);
        }
        String needed = requiredScope(context.getRequest());
        boolean granted = auth.getAuthorities().stream()
                .map(GrantedAuthority::getAuthority)
                .anyMatch(("SCOPE_" + needed)::equals);
        return new Decision(granted, needed);
    }

    /** The rule's answer, naming the scope the request needed (for the problem and the audit log). */
    public static final class Decision extends AuthorizationDecision {
        private final String requiredScope;

        Decision(boolean granted, String requiredScope) {
            super(granted);
            this.requiredScope = requiredScope;
        }

        public String requiredScope() {
            return requiredScope;
        }

        @Override
        public String toString() {
            return "ScopeRule.Decision[granted=" + isGranted() + ", requiredScope=" + requiredScope + "]";
        }
    }

    /** The scope a request needs. */
    public String requiredScope(HttpServletRequest request) {
        return requiredScope(request.getMethod(), pathOf(request));
    }

    public String requiredScope(String method, String path) {
        if (PATHS.match("/api/v1/admin/**", path)) {
            return MANAGE_USERS;
        }
        if (PATHS.match("/internal/account-data", path) || PATHS.match("/internal/account-data/**", path)) {
            return ACCOUNT_DATA;
        }
        HttpMethod m = HttpMethod.valueOf(method);
        if (HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.OPTIONS.equals(m)) {
            return READ;
        }
        if (HttpMethod.DELETE.equals(m)) {
            return DELETE;
        }
        if (HttpMethod.POST.equals(m) && readOnlyPosts.stream().anyMatch(p -> PATHS.match(p, path))) {
            return READ;
        }
        return WRITE;
    }

    /**
     * A token obtained from an API key may always delete that key (revoking itself never widens anything): a workflow
     * run ends by revoking the {@code read, write} key it was given.
     */
    private static boolean revokesItself(Authentication auth, HttpServletRequest request) {
        if (!HttpMethod.DELETE.matches(request.getMethod())
                || !(auth
                        instanceof
                        org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken
                                jwt)) {
            return false;
        }
        String path = pathOf(request);
        if (!PATHS.match(OWN_KEY, path)) {
            return false;
        }
        String keyId = jwt.getToken().getClaimAsString("api_key_id");
        return keyId != null
                && keyId.equals(PATHS.extractUriTemplateVariables(OWN_KEY, path).get("id"));
    }

    private static final String OWN_KEY = "/api/v1/auth/api-keys/{id}";

    private static boolean isAnonymous(Authentication auth) {
        return auth instanceof org.springframework.security.authentication.AnonymousAuthenticationToken;
    }

    private static String pathOf(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }
}
