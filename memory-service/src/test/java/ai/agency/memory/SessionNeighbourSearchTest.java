package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The session-neighbour signal through the real search (SQL neighbour lookup, model, fusion): of two replies that
 * match a question equally badly, the one said right after the turn that matches it — in the same session — comes
 * first. Run twice with the two replies' roles swapped, so the order can only come from the neighbour.
 */
class SessionNeighbourSearchTest extends MemoryApiTest {

    private static final String ASKED = "Ann: How was the pottery class you took at the community centre?";
    private static final String REPLY_ONE = "Bob: Honestly it was great, I made a lopsided bowl.";
    private static final String REPLY_TWO = "Bob: Honestly it was fine, I made a wobbly mug.";
    private static final String QUESTION = "What did Bob make at the pottery class?";

    /** A user whose session holds the question and then {@code answer}; {@code other} said in another session. */
    private String userWhoAnswered(String answer, String other) {
        String token = newUser();
        addOk(token, Map.of("content", other, "sessionId", "s-earlier", "infer", false));
        addOk(token, Map.of("content", ASKED, "sessionId", "s-pottery", "infer", false));
        addOk(token, Map.of("content", answer, "sessionId", "s-pottery", "infer", false));
        return token;
    }

    private static List<String> replies(List<String> texts) {
        return texts.stream()
                .filter(t -> t.equals(REPLY_ONE) || t.equals(REPLY_TWO))
                .toList();
    }

    @Test
    void theReplyAfterTheMatchingTurnInItsSessionRanksAboveAnEquallyRelevantOne() {
        String first = userWhoAnswered(REPLY_ONE, REPLY_TWO);
        String second = userWhoAnswered(REPLY_TWO, REPLY_ONE);

        assertThat(replies(texts(search(first, Map.of("query", QUESTION))))).containsExactly(REPLY_ONE, REPLY_TWO);
        assertThat(replies(texts(search(second, Map.of("query", QUESTION))))).containsExactly(REPLY_TWO, REPLY_ONE);
    }

    @Test
    void withoutSessionsThereIsNoNeighbourAndScoresStayWithin0And1() {
        String token = newUser();
        addOk(token, Map.of("content", ASKED, "infer", false));
        addOk(token, Map.of("content", REPLY_ONE, "infer", false));
        var response = search(token, Map.of("query", QUESTION));

        assertThat(response.status()).isEqualTo(200);
        assertThat(texts(response)).contains(ASKED, REPLY_ONE);
        response.json()
                .path("results")
                .forEach(r -> assertThat(r.path("score").asDouble()).isBetween(0.0, 1.0));
    }
}
