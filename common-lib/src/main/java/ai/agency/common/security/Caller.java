package ai.agency.common.security;

import ai.agency.common.error.AgencyException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Who is calling: the typed view of the access token. Declare a {@code Caller} parameter on a controller method
 * to get it; data queries are scoped with {@link #id()}. {@code apiKeyId} is set when the token was obtained from an
 * API key (by exchange or through a WebSocket ticket paid for with such a token).
 */
public record Caller(
        UUID id,
        String username,
        Set<String> roles,
        Set<String> scopes,
        String token,
        @Nullable UUID apiKeyId) {

    public Caller(UUID id, String username, Set<String> roles, Set<String> scopes, String token) {
        this(id, username, roles, scopes, token, null);
    }

    public static final String ADMIN = "admin";
    public static final String USER = "user";
    public static final String VIEWER = "viewer";

    public boolean isAdmin() {
        return roles.contains(ADMIN);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    public boolean hasScope(String scope) {
        return scopes.contains(scope);
    }

    /** True when the token came from an API key: such a token may not create keys or change the account. */
    public boolean viaApiKey() {
        return apiKeyId != null;
    }

    /**
     * Refuses (403 problem) a token that came from an API key: creating API keys, changing a password, MFA or the
     * account needs the owner's own sign-in.
     */
    public void requireOwnSignIn(String what) {
        if (viaApiKey()) {
            throw AgencyException.forbidden(
                    "A token obtained from an API key cannot " + what + "; sign in as the account's owner");
        }
    }

    /** Refuses (403 problem) a token whose scopes lack {@code scope}. */
    public void requireScope(String scope) {
        if (!hasScope(scope)) {
            throw AgencyException.forbidden("This token's scopes do not include '" + scope + "'")
                    .withProperty("requiredScope", scope);
        }
    }

    /** True when the caller may change data: users and admins, not viewers. */
    public boolean canWrite() {
        return isAdmin() || roles.contains(USER);
    }

    public static Caller of(Jwt jwt) {
        UUID id;
        try {
            id = UUID.fromString(jwt.getSubject());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw AgencyException.unauthenticated("The token's subject is not a user id");
        }
        return new Caller(
                id,
                jwt.getClaimAsString("username"),
                Set.copyOf(strings(jwt.getClaim("roles"))),
                Set.copyOf(scopes(jwt.getClaim("scope"))),
                jwt.getTokenValue(),
                Revocations.apiKeyIdOf(jwt));
    }

    /** The caller of the current request; 401 problem when there is none. */
    public static Caller current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication instanceof JwtAuthenticationToken token) {
            return of(token.getToken());
        }
        throw AgencyException.unauthenticated("Authentication is required");
    }

    static List<String> strings(Object claim) {
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        if (claim instanceof String value && !value.isBlank()) {
            return List.of(value.split("[ ,]+"));
        }
        return List.of();
    }

    static List<String> scopes(Object claim) {
        return strings(claim).stream().filter(s -> !s.isBlank()).collect(Collectors.toList());
    }
}
