package ai.agency.auth.oidc;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Who a provider says signed in: its stable subject, the email it vouches for ({@code emailVerified}) or merely
 * states, a username suggestion, and the values of the configured role claim.
 */
record ProviderUser(
        String subject,
        @Nullable String email,
        boolean emailVerified,
        @Nullable String preferredUsername,
        List<String> roleClaimValues) {}
