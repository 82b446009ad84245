package ai.agency.memory.search;

import ai.agency.memory.filter.MemoryFilters;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /api/v1/memories/search}.
 *
 * @param threshold minimum cosine similarity a result must have (-1..1); none by default
 * @param mode {@code hybrid} (default), {@code dense} or {@code text} — the last two for comparison and tuning
 * @param fusion {@code rrf} or {@code weighted}; default {@code agency.memory.search.fusion}
 * @param recencyWeight weight of the recency boost (0..1); default {@code agency.memory.search.recency-weight}
 * @param importanceWeight weight of the importance boost (0..1); default
 *     {@code agency.memory.search.importance-weight}
 * @param asOf what held at this instant ({@code validFrom <= asOf}, not closed by then) instead of what holds now
 * @param includeInvalid {@code true}: memories closed by newer ones too
 */
public record SearchRequest(
        @NotBlank @Size(max = 2000) String query,
        @Min(1) @Max(100) Integer limit,
        @DecimalMin("-1") @DecimalMax("1") Double threshold,
        @Valid MemoryFilters filters,

        @Pattern(regexp = "hybrid|dense|text", message = "must be hybrid, dense or text")
        String mode,

        @Pattern(regexp = "rrf|weighted", message = "must be rrf or weighted")
        String fusion,

        @DecimalMin("0") @DecimalMax("1") Double recencyWeight,
        @DecimalMin("0") @DecimalMax("1") Double importanceWeight,
        @Nullable Instant asOf,
        @Nullable Boolean includeInvalid) {

    int limitOrDefault() {
        return limit == null ? 10 : limit;
    }

    MemoryFilters filtersOrNone() {
        return (filters == null ? MemoryFilters.none() : filters).holdingAt(asOf, includeInvalid);
    }

    String modeOrDefault() {
        return mode == null ? "hybrid" : mode;
    }
}
