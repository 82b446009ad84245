package ai.agency.common.client.multimodal;

/** Body of {@code POST /api/v1/analyze/text}. */
public record AnalyzeTextRequest(String text) {}
