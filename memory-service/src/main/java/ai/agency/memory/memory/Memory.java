package ai.agency.memory.memory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One stored memory, as clients see it. */
public record Memory(
        UUID id,
        String memory,
        List<String> tags,
        double importance,
        Map<String, Object> metadata,
        @Nullable String agentId,
        @Nullable String sessionId,
        Instant createdAt,
        Instant updatedAt,
        @Nullable Instant expiresAt) {}
