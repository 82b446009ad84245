package ai.agency.common.client.multimodal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Answer of {@code POST /api/v1/analyze/text}, with every member multimodal-service writes, so a caller that passes it
 * on (tool-service's {@code analyze_text} gives it to the model) passes all of it; members that did not come are not
 * written either. {@code abstractiveSummary} comes only with a summarizer provider, and {@code unavailable} names the
 * parts that could not be computed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TextAnalysis(
        @Nullable Language language,
        @Nullable List<String> tokens,
        @Nullable Integer tokenCount,
        @Nullable List<String> sentences,
        @Nullable Sentiment sentiment,
        @Nullable List<Entity> entities,
        @Nullable List<String> keywords,
        @Nullable String summary,
        @Nullable String abstractiveSummary,
        @Nullable List<String> unavailable) {

    /** The detected language: its {@code code} and a {@code confidence} in 0..1. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Language(@Nullable String code, @Nullable Double confidence) {}

    /** {@code score} in −1..1; {@code label} positive, negative or neutral; {@code confidence} in 0..1. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Sentiment(
            @Nullable Double score,
            @Nullable String label,
            @Nullable Double confidence) {}

    /** A named entity; {@code start} inclusive and {@code end} exclusive, in UTF-16 characters of the text. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Entity(
            @Nullable String text,
            @Nullable String type,
            @Nullable Integer start,
            @Nullable Integer end) {}
}
