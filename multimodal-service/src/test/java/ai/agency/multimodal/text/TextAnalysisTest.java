package ai.agency.multimodal.text;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.multimodal.MultimodalApiTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

class TextAnalysisTest extends MultimodalApiTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "en|The weather is lovely today and we are going to the park with the children.",
                "fr|Le temps est magnifique aujourd'hui et nous allons au parc avec les enfants.",
                "de|Das Wetter ist heute wunderschön und wir gehen mit den Kindern in den Park.",
                "es|El tiempo es precioso hoy y vamos al parque con los niños y sus amigos."
            })
    void detectsTheLanguage(String code, String text) {
        Response response = postJson("/api/v1/analyze/text", Map.of("text", text));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().path("language").path("code").asString()).isEqualTo(code);
        assertThat(response.json().path("language").path("confidence").asDouble())
                .isBetween(0.5, 1.0);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "I really love this product, it is excellent!|positive",
                "This was a terrible, awful experience.|negative",
                "The service was not good at all.|negative",
                "The movie was not bad.|positive",
                "The train leaves at nine from platform four.|neutral"
            })
    void scoresSentimentWithNegation(String text, String label) {
        JsonNode sentiment =
                postJson("/api/v1/analyze/text", Map.of("text", text)).json().path("sentiment");

        assertThat(sentiment.path("label").asString()).isEqualTo(label);
        double score = sentiment.path("score").asDouble();
        switch (label) {
            case "positive" -> assertThat(score).isGreaterThan(0);
            case "negative" -> assertThat(score).isLessThan(0);
            default -> assertThat(score).isZero();
        }
        assertThat(sentiment.path("confidence").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void findsEntitiesWithTheirOffsets() {
        String text = "Dr. Alice Martin of Acme Corp met Bob in Paris on 12 March 2024. "
                + "Write to alice@example.com or see https://example.com/docs. The deal is worth $2,500.";

        JsonNode body = postJson("/api/v1/analyze/text", Map.of("text", text)).json();

        List<String> found = new ArrayList<>();
        for (JsonNode entity : body.path("entities")) {
            int start = entity.path("start").asInt();
            int end = entity.path("end").asInt();
            assertThat(text.substring(start, end)).isEqualTo(entity.path("text").asString());
            found.add(entity.path("type").asString() + ":" + entity.path("text").asString());
        }
        assertThat(found)
                .contains(
                        "person:Alice Martin",
                        "organisation:Acme Corp",
                        "person:Bob",
                        "location:Paris",
                        "date:12 March 2024",
                        "email:alice@example.com",
                        "url:https://example.com/docs",
                        "money:$2,500");
    }

    @Test
    void splitsSentencesAndTokensAndSummarises() {
        String text = "Solar panels convert sunlight into electricity. Solar power is cheap in sunny regions. "
                + "My cat sleeps all day. Batteries store solar electricity for the night. "
                + "Electricity from solar panels and batteries powers many homes.";

        JsonNode body = postJson("/api/v1/analyze/text", Map.of("text", text)).json();

        assertThat(body.path("sentences")).hasSize(5);
        assertThat(body.path("tokenCount").asInt())
                .isEqualTo(body.path("tokens").size())
                .isEqualTo(34);
        assertThat(body.path("keywords").get(0).asString()).isEqualTo("solar");
        assertThat(body.path("summary").asString())
                .doesNotContain("My cat sleeps all day.")
                .contains("Electricity from solar panels and batteries powers many homes.");
        assertThat(body.path("unavailable").toString()).contains("abstractiveSummary");
        assertThat(body.has("abstractiveSummary")).isFalse();
    }

    @Test
    void rejectsEmptyText() {
        Response response = postJson("/api/v1/analyze/text", Map.of("text", "  "));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().path("errorType").asString()).isEqualTo("validation");
    }

    @Test
    void rejectsTextOverTheLimit() {
        Response response = postJson("/api/v1/analyze/text", Map.of("text", "a".repeat(100_001)));

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.json().path("errorType").asString()).isEqualTo("validation");
    }
}
