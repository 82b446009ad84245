package ai.agency.common.client.memory;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /api/v1/memories/search}; absent members are not sent (memory-service's defaults: 10 results, no
 * threshold, no filters). {@code filters} is passed as given ({@code agentId}, {@code sessionId}, {@code tags},
 * {@code metadata}, {@code createdAfter}, {@code createdBefore}, {@code minImportance}; docs/memory.md): memory-service
 * validates it. {@code asOf} asks for what held at that instant, {@code includeInvalid} for superseded memories too
 * (at most one of them; without either, only what holds now).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchMemoryRequest(
        String query,
        @Nullable Integer limit,
        @Nullable Double threshold,
        @Nullable Map<String, Object> filters,
        @Nullable Instant asOf,
        @Nullable Boolean includeInvalid) {

    /** The {@code limit} best matches of {@code query}, unfiltered. */
    public static SearchMemoryRequest of(String query, int limit) {
        return new SearchMemoryRequest(query, limit, null, null, null, null);
    }
}
