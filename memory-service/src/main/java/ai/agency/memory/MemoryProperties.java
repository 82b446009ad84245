package ai.agency.memory;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of memory-service.
 *
 * @param dimensions size of the embedding vectors (must match the stored data)
 * @param embeddingModel name of the embedding model, recorded with the data
 * @param maxSearchLimit most results one search may ask for
 * @param maxContentLength longest memory text accepted, in characters
 * @param search ranking knobs of hybrid search
 */
@Validated
@ConfigurationProperties("agency.memory")
public record MemoryProperties(
        @DefaultValue("384") @Min(1) @Max(16000) int dimensions,
        @DefaultValue("all-minilm-l6-v2-q") @NotBlank String embeddingModel,

        @DefaultValue("0.92") @DecimalMin("0") @DecimalMax("1")
        double duplicateSimilarity,

        @DefaultValue("100") @Min(1) @Max(1000) int maxSearchLimit,
        @DefaultValue("16384") @Min(100) @Max(1_000_000) int maxContentLength,
        @DefaultValue @Valid Search search) {

    /**
     * Ranking knobs of hybrid search.
     *
     * @param denseWeight weight of the embedding ranking in the fusion
     * @param textWeight weight of the BM25 ranking in the fusion
     * @param rrfK reciprocal rank fusion constant (higher flattens the rank curve)
     * @param candidates how many candidates each ranking contributes before fusion
     * @param bm25K1 BM25 term-frequency saturation
     * @param bm25B BM25 length normalisation
     */
    public record Search(
            @DefaultValue("0.7") @DecimalMin("0") double denseWeight,
            @DefaultValue("1.0") @DecimalMin("0") double textWeight,
            @DefaultValue("5") @Min(1) int rrfK,
            @DefaultValue("50") @Min(1) @Max(1000) int candidates,
            @DefaultValue("1.2") @DecimalMin("0") double bm25K1,

            @DefaultValue("0.75") @DecimalMin("0") @DecimalMax("1")
            double bm25B) {}
}
