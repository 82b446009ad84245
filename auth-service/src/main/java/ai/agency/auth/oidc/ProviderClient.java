package ai.agency.auth.oidc;

import java.net.URI;

/** The protocol spoken with one provider: where to send the browser, and what a returned code is worth. */
sealed interface ProviderClient permits OidcProviderClient, GitHubProviderClient {

    /** The provider's authorization URL for this request (code flow, PKCE S256, state and, for OIDC, nonce). */
    URI authorizationUri(String state, String nonce, String codeVerifier, URI redirectUri);

    /**
     * Exchanges {@code code} at the provider's token endpoint and answers the user it vouches for.
     *
     * @throws SignInFailure when the provider refuses the code, is unreachable, or answers with an invalid ID token
     */
    ProviderUser complete(String code, String nonce, String codeVerifier, URI redirectUri);
}
