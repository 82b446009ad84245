package ai.agency.auth.token;

import java.util.List;
import java.util.UUID;

/**
 * Whom an access token is for: what of an account goes into its claims ({@code sub}, {@code username}, the roles its
 * scopes come from, {@code ver}). Tokens know nothing more of accounts, so that the account package can use tokens
 * without tokens depending back on accounts.
 */
public record TokenSubject(UUID id, String username, List<String> roles, int tokenVersion) {}
