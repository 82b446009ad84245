package ai.agency.multimodal;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * All settings of multimodal-service ({@code agency.multimodal.*}). Limits protect the service against hostile
 * files; at most {@code max-concurrent-analyses} analyses run at once (default: one per processor), others wait up
 * to {@code analysis-queue-wait} and then get a 429; the optional providers enable the enrichments that need a model ({@code caption}, {@code transcription},
 * the abstractive summary).
 */
@Validated
@ConfigurationProperties("agency.multimodal")
public record MultimodalProperties(
        @DefaultValue("100000") @Min(1) @Max(1_000_000) int maxTextChars,
        @DefaultValue("20MB") @NotNull DataSize maxImageSize,
        @DefaultValue("50MB") @NotNull DataSize maxAudioSize,
        @DefaultValue("100MB") @NotNull DataSize maxVideoSize,
        @DefaultValue("40000000") @Min(1) long maxImagePixels,
        @DefaultValue("4000000") @Min(4096) long analysisPixels,
        @DefaultValue("600s") @NotNull Duration maxMediaDuration,
        @DefaultValue("30s") @NotNull Duration analysisTimeout,
        @DefaultValue("0") @Min(0) @Max(256) int maxConcurrentAnalyses,
        @DefaultValue("2s") @NotNull Duration analysisQueueWait,
        @DefaultValue("5") @Min(2) @Max(16) int dominantColors,
        @DefaultValue("-50") @DecimalMax("0") double silenceThresholdDbfs,
        @DefaultValue("-40") @DecimalMax("0") double speechThresholdDbfs,
        @DefaultValue("3") @Min(1) @Max(20) int summarySentences,
        @DefaultValue("10") @Min(1) @Max(100) int keywords,

        @DefaultValue("0.5") @DecimalMin("0") @DecimalMax("1")
        double languageMinConfidence,

        @Valid @NotNull @DefaultValue Provider vision,
        @Valid @NotNull @DefaultValue Provider transcription,
        @Valid @NotNull @DefaultValue Provider summarizer) {

    public MultimodalProperties {
        if (maxConcurrentAnalyses == 0) { // analyses are CPU-bound: more at once than processors only slows each down
            maxConcurrentAnalyses = Runtime.getRuntime().availableProcessors();
        }
        if (analysisQueueWait != null
                && (analysisQueueWait.isNegative() || analysisQueueWait.compareTo(Duration.ofSeconds(30)) > 0)) {
            throw new IllegalArgumentException(
                    "agency.multimodal.analysis-queue-wait must be between 0s and 30s, was " + analysisQueueWait);
        }
    }

    /**
     * An OpenAI-compatible endpoint. Empty {@code baseUrl} means not configured: the enrichment is reported as
     * unavailable.
     */
    public record Provider(
            @DefaultValue("") String baseUrl,
            @DefaultValue("") String model,
            @DefaultValue("") String apiKey,
            @DefaultValue("60s") @NotNull Duration timeout) {

        public boolean configured() {
            return baseUrl != null && !baseUrl.isBlank();
        }
    }
}
