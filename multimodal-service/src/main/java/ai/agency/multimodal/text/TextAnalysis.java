package ai.agency.multimodal.text;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The answer of {@code POST /api/v1/analyze/text}. {@code abstractiveSummary} only with a summarizer provider. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TextAnalysis(
        LanguageGuess language,
        List<String> tokens,
        int tokenCount,
        List<String> sentences,
        Sentiment sentiment,
        List<Entity> entities,
        List<String> keywords,
        String summary,
        @Nullable String abstractiveSummary,
        List<String> unavailable) {

    public record LanguageGuess(String code, double confidence) {}

    /** {@code score} in −1..1; {@code label} positive, negative or neutral; {@code confidence} in 0..1. */
    public record Sentiment(double score, String label, double confidence) {}

    /** A named entity; {@code start} inclusive and {@code end} exclusive, in UTF-16 characters of the text. */
    public record Entity(String text, String type, int start, int end) {}
}
