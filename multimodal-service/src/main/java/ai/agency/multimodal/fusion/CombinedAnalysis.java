package ai.agency.multimodal.fusion;

import java.util.List;

/**
 * The answer of {@code POST /api/v1/analyze}: each modality's result, the insights that relate them, and a
 * confidence (0..1) that is the share of the analyses and enrichments that actually ran.
 */
public record CombinedAnalysis(
        List<Modality> modalities, List<Insight> insights, double confidence, List<String> unavailable) {

    public record Modality(String type, Object result) {}

    public record Insight(List<String> modalities, String finding, double confidence) {}
}
