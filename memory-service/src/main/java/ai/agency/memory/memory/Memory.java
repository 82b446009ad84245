package ai.agency.memory.memory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** One stored memory, as clients see it. */
public record Memory(
        UUID id,
        String memory,
        List<String> tags,
        double importance,
        Map<String, Object> metadata,
        String agentId,
        String sessionId,
        Instant createdAt,
        Instant updatedAt,
        Instant expiresAt) {}
