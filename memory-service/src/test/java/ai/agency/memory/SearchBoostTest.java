package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Recency and importance boosts: off by default, asked for per request (or by configuration). Each case is run
 * twice with the roles of the two memories swapped, so the order can only come from the boost.
 */
class SearchBoostTest extends MemoryApiTest {

    private static final String BLUE = "My favourite colour is blue";
    private static final String GREEN = "My favourite colour is green";

    @Autowired
    JdbcClient jdbc;

    /** A user's token and the ids of their two memories. */
    private record Colours(String token, String blueId, String greenId) {}

    private Colours userWithColours(double blueImportance, double greenImportance) {
        String token = newUser();
        String blue = addOk(token, Map.of("content", BLUE, "importance", blueImportance));
        String green = addOk(token, Map.of("content", GREEN, "importance", greenImportance));
        return new Colours(token, blue, green);
    }

    private void backdate(String id, int days) {
        int rows = jdbc.sql("UPDATE memories SET created_at = now() - make_interval(days => :d) WHERE id = :id")
                .param("d", days)
                .param("id", java.util.UUID.fromString(id))
                .update();
        assertThat(rows).isEqualTo(1);
    }

    /** A search for the favourite colour with RRF fusion (whose scores of two candidates are close) and these extras. */
    private static Map<String, Object> query(Object... extra) {
        Map<String, Object> body =
                new java.util.HashMap<>(Map.of("query", "What is my favourite colour?", "fusion", "rrf"));
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        return body;
    }

    @Test
    void theImportanceBoostPutsTheMoreImportantOfTwoEquallyRelevantMemoriesFirst() {
        Colours blueMatters = userWithColours(0.9, 0.1);
        Colours greenMatters = userWithColours(0.1, 0.9);
        Map<String, Object> boosted = query("importanceWeight", 1.0);

        assertThat(texts(search(blueMatters.token(), boosted))).containsExactly(BLUE, GREEN);
        assertThat(texts(search(greenMatters.token(), boosted))).containsExactly(GREEN, BLUE);
    }

    @Test
    void theRecencyBoostPutsTheNewerOfTwoEquallyRelevantMemoriesFirst() {
        Colours blueIsOld = userWithColours(0.5, 0.5);
        backdate(blueIsOld.blueId(), 120);
        Colours greenIsOld = userWithColours(0.5, 0.5);
        backdate(greenIsOld.greenId(), 120);
        Map<String, Object> boosted = query("recencyWeight", 0.5);

        assertThat(texts(search(blueIsOld.token(), boosted))).containsExactly(GREEN, BLUE);
        assertThat(texts(search(greenIsOld.token(), boosted))).containsExactly(BLUE, GREEN);
    }

    @Test
    void boostsAreOffByDefaultAndKeepScoresWithin0And1() {
        Colours colours = userWithColours(0.1, 0.9);
        backdate(colours.greenId(), 365);
        String token = colours.token();

        List<Double> plainScores = scores(search(token, query()));
        List<Double> boostedScores = scores(search(token, query("importanceWeight", 1.0, "recencyWeight", 1.0)));
        List<Double> zeroBoostScores = scores(search(token, query("importanceWeight", 0, "recencyWeight", 0)));

        assertThat(zeroBoostScores).isEqualTo(plainScores);
        assertThat(boostedScores)
                .isNotEqualTo(plainScores)
                .allSatisfy(s -> assertThat(s).isBetween(0.0, 1.0));
    }

    @Test
    void boostWeightsOutside0To1AreRefused() {
        for (String field : List.of("recencyWeight", "importanceWeight")) {
            JsonNode problem =
                    assertProblem(search(newUser(), Map.of("query", "colour", field, 1.5)), 400, "validation");
            assertThat(errorFields(problem)).containsExactly(field);
        }
        JsonNode problem =
                assertProblem(search(newUser(), Map.of("query", "colour", "fusion", "max")), 400, "validation");
        assertThat(errorFields(problem)).containsExactly("fusion");
    }

    private static List<Double> scores(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json()
                .get("results")
                .valueStream()
                .map(r -> r.get("score").asDouble())
                .toList();
    }
}
