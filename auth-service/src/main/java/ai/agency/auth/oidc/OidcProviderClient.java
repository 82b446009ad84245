package ai.agency.auth.oidc;

import ai.agency.auth.AuthProperties;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.GeneralException;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import java.io.IOException;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An OpenID Connect provider (Keycloak, Google, Microsoft, GitLab, …), found by discovery from its issuer at first
 * use. The ID token is validated by Nimbus: signature against the provider's JWKS, {@code iss}, {@code aud} containing
 * the client id, {@code exp}/{@code iat}, and {@code nonce} equal to the one sent.
 */
final class OidcProviderClient implements ProviderClient {

    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 10_000;

    private final AuthProperties.OidcProvider settings;
    private final ClientID clientId;
    private volatile @Nullable Discovered discovered;

    /** The provider's metadata and a validator of its ID tokens (which caches its JWKS). */
    private record Discovered(OIDCProviderMetadata metadata, IDTokenValidator validator) {}

    OidcProviderClient(AuthProperties.OidcProvider settings) {
        this.settings = settings;
        this.clientId = new ClientID(settings.clientId());
    }

    @Override
    public URI authorizationUri(String state, String nonce, String codeVerifier, URI redirectUri) {
        OIDCProviderMetadata metadata = discover().metadata();
        return new AuthenticationRequest.Builder(
                        new ResponseType(ResponseType.Value.CODE),
                        new Scope(settings.scopes().toArray(String[]::new)),
                        clientId,
                        redirectUri)
                .endpointURI(metadata.getAuthorizationEndpointURI())
                .state(new State(state))
                .nonce(new Nonce(nonce))
                .codeChallenge(new CodeVerifier(codeVerifier), CodeChallengeMethod.S256)
                .build()
                .toURI();
    }

    @Override
    public ProviderUser complete(String code, String nonce, String codeVerifier, URI redirectUri) {
        Discovered provider = discover();
        JWT idToken = exchange(provider.metadata(), code, codeVerifier, redirectUri);
        IDTokenClaimsSet claims;
        try {
            claims = provider.validator().validate(idToken, new Nonce(nonce));
        } catch (BadJOSEException | JOSEException e) {
            throw new SignInFailure("invalid_id_token", "ID token refused: " + e.getMessage(), e);
        }
        Object verified = claims.getClaim("email_verified");
        return new ProviderUser(
                claims.getSubject().getValue(),
                claims.getStringClaim("email"),
                Boolean.TRUE.equals(verified) || "true".equals(verified),
                claims.getStringClaim("preferred_username"),
                settings.roleClaim() == null ? List.of() : strings(claims.getClaim(settings.roleClaim())));
    }

    private JWT exchange(OIDCProviderMetadata metadata, String code, String codeVerifier, URI redirectUri) {
        TokenRequest request = new TokenRequest(
                metadata.getTokenEndpointURI(),
                clientAuthentication(metadata),
                new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri, new CodeVerifier(codeVerifier)));
        TokenResponse response;
        try {
            HTTPRequest http = request.toHTTPRequest();
            http.setConnectTimeout(CONNECT_TIMEOUT_MS);
            http.setReadTimeout(READ_TIMEOUT_MS);
            response = OIDCTokenResponseParser.parse(http.send());
        } catch (IOException e) {
            throw new SignInFailure("provider_unavailable", "token endpoint unreachable: " + e.getMessage(), e);
        } catch (ParseException e) {
            throw new SignInFailure("provider_error", "token endpoint answer unreadable: " + e.getMessage(), e);
        }
        if (!response.indicatesSuccess()) {
            throw new SignInFailure(
                    "code_rejected",
                    "token endpoint refused the code: "
                            + response.toErrorResponse().getErrorObject().getCode());
        }
        if (!(response.toSuccessResponse() instanceof OIDCTokenResponse tokens)
                || tokens.getOIDCTokens().getIDToken() == null) {
            throw new SignInFailure("invalid_id_token", "the token endpoint answered no ID token");
        }
        return tokens.getOIDCTokens().getIDToken();
    }

    private ClientAuthentication clientAuthentication(OIDCProviderMetadata metadata) {
        List<ClientAuthenticationMethod> methods = metadata.getTokenEndpointAuthMethods();
        Secret secret = new Secret(settings.clientSecret());
        if (methods != null
                && !methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                && methods.contains(ClientAuthenticationMethod.CLIENT_SECRET_POST)) {
            return new ClientSecretPost(clientId, secret);
        }
        return new ClientSecretBasic(clientId, secret);
    }

    /** Discovery at first use (and again after a failure), so that the service starts while a provider is down. */
    private Discovered discover() {
        Discovered known = discovered;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (discovered == null) {
                discovered = resolve();
            }
            return discovered;
        }
    }

    private Discovered resolve() {
        String issuer = settings.issuerUri();
        try {
            OIDCProviderMetadata metadata = OIDCProviderMetadata.resolve(
                    new Issuer(issuer == null ? "" : issuer), CONNECT_TIMEOUT_MS, READ_TIMEOUT_MS);
            List<JWSAlgorithm> algorithms = metadata.getIDTokenJWSAlgs();
            JWSAlgorithm algorithm =
                    algorithms == null || algorithms.isEmpty() || algorithms.contains(JWSAlgorithm.RS256)
                            ? JWSAlgorithm.RS256
                            : algorithms.getFirst();
            IDTokenValidator validator = new IDTokenValidator(
                    metadata.getIssuer(),
                    clientId,
                    algorithm,
                    metadata.getJWKSetURI().toURL());
            return new Discovered(metadata, validator);
        } catch (IOException | GeneralException | RuntimeException e) {
            throw new SignInFailure("provider_unavailable", "discovery of " + issuer + " failed: " + e.getMessage(), e);
        }
    }

    private static List<String> strings(@Nullable Object claim) {
        if (claim instanceof String value) {
            return List.of(value);
        }
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        return List.of();
    }
}
