package ai.agency.common.client.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Answer of {@code GET /api/v1/users/me}. {@code profileRole} is free descriptive text (developer, designer, ...);
 * {@code preferences} is the user's own JSON object, free-form, passed on as it is (null when the user has none).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UserProfile(
        UUID id,
        String username,
        String email,
        List<String> roles,
        @Nullable String profileRole,
        @Nullable JsonNode preferences,
        Instant createdAt) {}
