/**
 * Sign-in with OpenID Connect providers and GitHub: the authorization-code flow with PKCE, state and nonce, the
 * accounts and identities it creates and links, and the one-time codes and re-authentication tokens it hands out.
 */
@NullMarked
package ai.agency.auth.oidc;

import org.jspecify.annotations.NullMarked;
