package ai.agency.common.client.multimodal;

import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.service.annotation.PostExchange;

/**
 * The part of multimodal-service's API that other services call (tool-service's {@code analyze_text}), declared once.
 * Create it with {@code clients.create("multimodal", MultimodalClient.class)}; the bearer token is passed explicitly.
 */
public interface MultimodalClient {

    /** {@code POST /api/v1/analyze/text}: language, sentiment, entities, keywords and summary of a text. */
    @PostExchange("/api/v1/analyze/text")
    TextAnalysis analyzeText(
            @RequestHeader(HttpHeaders.AUTHORIZATION) String bearer, @RequestBody AnalyzeTextRequest body);
}
