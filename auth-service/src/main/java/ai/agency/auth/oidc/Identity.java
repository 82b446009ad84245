package ai.agency.auth.oidc;

import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A provider account linked to a platform account ({@code provider} id, the provider's {@code subject}). */
record Identity(
        UUID id,
        UUID userId,
        String provider,
        String subject,
        @Nullable String email,
        Instant linkedAt) {}
