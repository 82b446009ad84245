package ai.agency.memory;

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
 */
@Validated
@ConfigurationProperties("agency.memory")
public record MemoryProperties(
        @DefaultValue("384") @Min(1) @Max(16000) int dimensions,
        @DefaultValue("all-minilm-l6-v2-q") @NotBlank String embeddingModel,

        @DefaultValue("0.92") @DecimalMin("0") @DecimalMax("1")
        double duplicateSimilarity,

        @DefaultValue("100") @Min(1) @Max(1000) int maxSearchLimit,
        @DefaultValue("8000") @Min(100) int maxContentLength) {}
