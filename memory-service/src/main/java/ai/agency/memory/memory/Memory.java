package ai.agency.memory.memory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * One stored memory, as clients see it. It holds from {@code validFrom} until {@code invalidAt} (null while it
 * holds); a memory closed by a newer one names it in {@code supersededBy}.
 */
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
        @Nullable Instant expiresAt,
        Instant validFrom,
        @Nullable Instant invalidAt,
        @Nullable UUID supersededBy) {}
