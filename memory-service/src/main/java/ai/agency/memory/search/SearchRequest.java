package ai.agency.memory.search;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /api/v1/memories/search}. */
public record SearchRequest(
        @NotBlank @Size(max = 2000) String query,
        @Min(1) @Max(100) Integer limit,
        @DecimalMin("-1") @DecimalMax("1") Double threshold,
        Filters filters) {

    /** Narrowing of the search to a scope. */
    public record Filters(
            @Size(max = 128) String agentId,
            @Size(max = 128) String sessionId) {}

    int limitOrDefault() {
        return limit == null ? 10 : limit;
    }
}
