package ai.agency.common.client.memory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** Answer of {@code POST /api/v1/memories/search}: the hits, best first. */
public record SearchMemoryResponse(List<Hit> results) {

    public SearchMemoryResponse {
        results = results == null ? List.of() : results;
    }

    /**
     * One hit, with every member memory-service writes (so a caller that passes the answer on, like tool-service's
     * {@code search_memory}, passes all of it): {@code score} is the final score (0..1), {@code similarity} and
     * {@code textScore} the scores of the two rankings, each null when the memory was no candidate of that ranking;
     * the memory holds from {@code validFrom} until {@code invalidAt} (null while it holds), and a closed one names
     * the memory that superseded it ({@code supersededBy}).
     */
    public record Hit(
            UUID id,
            String memory,
            Double score,
            Double similarity,
            Double textScore,
            List<String> tags,
            Double importance,
            Map<String, Object> metadata,
            String agentId,
            String sessionId,
            Instant createdAt,
            Instant updatedAt,
            @Nullable Instant validFrom,
            @Nullable Instant invalidAt,
            @Nullable UUID supersededBy) {}
}
