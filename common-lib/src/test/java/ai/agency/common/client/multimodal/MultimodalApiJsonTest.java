package ai.agency.common.client.multimodal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** {@link TextAnalysis} passes on what multimodal-service answers unchanged, and no member that did not come. */
class MultimodalApiJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void aFullAnalysisSurvivesTheRoundTripUnchanged() {
        String answer = "{\"language\":{\"code\":\"en\",\"confidence\":0.9871},"
                + "\"tokens\":[\"what\",\"a\",\"lovely\",\"day\"],\"tokenCount\":4,"
                + "\"sentences\":[\"What a lovely day\"],"
                + "\"sentiment\":{\"score\":0.62,\"label\":\"positive\",\"confidence\":0.8},"
                + "\"entities\":[{\"text\":\"Paris\",\"type\":\"LOCATION\",\"start\":0,\"end\":5}],"
                + "\"keywords\":[\"lovely\",\"day\"],\"summary\":\"What a lovely day\","
                + "\"abstractiveSummary\":\"A nice day.\",\"unavailable\":[]}";

        TextAnalysis read = JSON.readValue(answer, TextAnalysis.class);

        assertThat(JSON.writeValueAsString(read)).isEqualTo(answer);
    }

    @Test
    void membersThatDidNotComeAreNotWritten() {
        String answer = "{\"language\":{\"code\":\"en\",\"confidence\":0.99},"
                + "\"sentiment\":{\"score\":0.8,\"label\":\"positive\",\"confidence\":0.9}}";

        assertThat(JSON.writeValueAsString(JSON.readValue(answer, TextAnalysis.class)))
                .isEqualTo(answer);
    }

    @Test
    void theRequestIsTheText() {
        assertThat(JSON.writeValueAsString(new AnalyzeTextRequest("What a lovely day")))
                .isEqualTo("{\"text\":\"What a lovely day\"}");
    }
}
