package ai.agency.common.security;

import java.util.List;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * What every service requires of an access token on every request, after its signature and {@code exp} were checked
 * (also for tokens served from {@link CachingJwtDecoder}'s cache): the platform's issuer ({@code iss}), its audience
 * ({@code aud}), and that the token was not revoked since ({@link Revocations}). Applied by the JWT authentication
 * converter of {@link AgencySecurityAutoConfiguration}, and by the gateway's WebSocket handshake.
 */
public final class TokenRules {

    private final String issuer;
    private final String audience;
    private final Revocations revocations;

    public TokenRules(String issuer, String audience, Revocations revocations) {
        this.issuer = issuer;
        this.audience = audience;
        this.revocations = revocations;
    }

    /**
     * Throws an {@link OAuth2AuthenticationException} (a 401) when the token breaks a rule, and an
     * {@link AuthenticationServiceException} (a 503) while the revocation list has not been read yet.
     */
    public void check(Jwt jwt) {
        Object iss = jwt.getClaims().get("iss");
        if (iss == null || !issuer.equals(iss.toString())) {
            throw invalid("The token was not issued by this platform");
        }
        List<String> aud = jwt.getAudience();
        if (aud == null || !aud.contains(audience)) {
            throw invalid("The token is not meant for this platform");
        }
        if (!revocations.ready()) {
            // not the token's fault: the service started while the revocation feed (the database) is out of reach.
            // A 503 with Retry-After (AgencySecurityAutoConfiguration's entry point), not a 401 telling the client
            // to sign in again.
            throw new AuthenticationServiceException("The revocation list has not been read yet");
        }
        if (revocations.isRevoked(jwt)) {
            throw invalid("The token was revoked");
        }
    }

    public Revocations revocations() {
        return revocations;
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    private static InvalidBearerTokenException invalid(String description) {
        return new InvalidBearerTokenException(description);
    }

    /** The OAuth2 error for a refused token, for callers that answer it themselves. */
    static OAuth2Error error(String description) {
        return new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null);
    }
}
