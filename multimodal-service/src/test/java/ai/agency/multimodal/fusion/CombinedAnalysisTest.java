package ai.agency.multimodal.fusion;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.multimodal.Fixtures;
import ai.agency.multimodal.MultimodalApiTest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CombinedAnalysisTest extends MultimodalApiTest {

    @Test
    void analysesSeveralPartsAndSaysWhatWasUnavailable() {
        Map<String, Part> parts = new LinkedHashMap<>();
        parts.put("text", Part.field("The new flag is red and blue. Everyone loves it."));
        parts.put("image", Part.file("flag.png", "image/png", Fixtures.encode(Fixtures.redBlue(200, 100), "png")));
        parts.put("audio", Part.file("tone.wav", "audio/wav", Fixtures.wav(16_000, 1, 440, -6, 1)));

        Response response = multipart("/api/v1/analyze", parts);

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.path("modalities").findValuesAsString("type")).containsExactly("text", "image", "audio");
        assertThat(body.path("modalities").get(1).path("result").path("width").asInt())
                .isEqualTo(200);
        assertThat(body.path("unavailable")
                        .valueStream()
                        .map(JsonNode::asString)
                        .toList())
                .containsExactlyInAnyOrder("text.abstractiveSummary", "image.caption", "audio.transcription");
        // 3 analyses ran, 3 enrichments were unavailable
        assertThat(body.path("confidence").asDouble()).isEqualTo(0.5);
        JsonNode summary = body.path("insights").get(body.path("insights").size() - 1);
        assertThat(summary.path("modalities")
                        .valueStream()
                        .map(JsonNode::asString)
                        .toList())
                .isEqualTo(List.of("text", "image", "audio"));
        assertThat(summary.path("finding").asString())
                .contains("positive")
                .contains("200×100")
                .contains("2.0 s");
    }

    @Test
    void oneBadPartRejectsTheRequestWithAProblem() {
        Map<String, Part> parts = new LinkedHashMap<>();
        parts.put("text", Part.field("Fine."));
        parts.put("audio", Part.file("song.wav", "audio/wav", Fixtures.zip()));

        Response response = multipart("/api/v1/analyze", parts);

        assertThat(response.status()).isEqualTo(415);
        assertThat(response.json().path("errorType").asString()).isEqualTo("validation");
    }

    @Test
    void metricsCountAnalysesByModalityAndOutcome() {
        multipart("/api/v1/analyze", Map.of("text", Part.field("Metrics are counted.")));

        String metrics = get("/actuator/prometheus").body();

        assertThat(metrics)
                .contains("agency_analysis_total{")
                .contains("modality=\"text\"")
                .contains("outcome=\"success\"")
                .contains("agency_analysis_seconds_bucket{")
                .contains("agency_analysis_bytes_total{");
    }
}
