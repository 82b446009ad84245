package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.memory.memory.GraphPromotion;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

/**
 * The HNSW graph holds only the memories of callers with more than {@code exact-scan-max-rows} live memories (here
 * 3). A caller who crosses the threshold is moved into it by {@link GraphPromotion}; their new memories then join
 * it on insert; a big caller with memories still outside is searched by the exact scan, so nothing is missed.
 */
@TestPropertySource(
        properties = {
            "agency.memory.search.exact-scan-max-rows=3",
            "agency.memory.graph-promotion-initial-delay=PT1H" // the test runs the job itself
        })
class GraphPromotionTest extends MemoryApiTest {

    private static final List<String> TEXTS = List.of(
            "I play the violin in an orchestra",
            "My sister lives in Lisbon",
            "I am allergic to peanuts",
            "My favourite food is spicy ramen",
            "I run a marathon every spring");

    @Autowired
    JdbcClient jdbc;

    @Autowired
    GraphPromotion promotion;

    private List<Boolean> inGraph(UUID user) {
        return jdbc.sql("SELECT in_graph FROM memory.memories WHERE user_id = :u")
                .param("u", user)
                .query(Boolean.class)
                .list();
    }

    private boolean inGraph(String memoryId) {
        return jdbc.sql("SELECT in_graph FROM memory.memories WHERE id = :id")
                .param("id", UUID.fromString(memoryId))
                .query(Boolean.class)
                .single();
    }

    @Test
    void aCallerWhoCrossesTheThresholdIsMovedIntoTheGraphAndTheirNewMemoriesJoinItOnInsert() {
        UUID big = UUID.randomUUID();
        String bigToken = jwts.user(big);
        TEXTS.forEach(text -> addOk(bigToken, text));
        UUID small = UUID.randomUUID();
        String smallToken = jwts.user(small);
        addOk(smallToken, "I collect vintage cameras");
        addOk(smallToken, "I grow tomatoes on my balcony");

        assertThat(inGraph(big))
                .as("no memory joins the graph before its owner is big")
                .containsOnly(false);
        assertThat(texts(search(bigToken, Map.of("query", "Which instrument do I play?"))))
                .as("a big caller outside the graph is searched by the exact scan")
                .first()
                .isEqualTo("I play the violin in an orchestra");

        assertThat(promotion.run()).isGreaterThanOrEqualTo(TEXTS.size());

        assertThat(inGraph(big)).hasSize(TEXTS.size()).containsOnly(true);
        assertThat(inGraph(small)).as("a caller under the threshold stays out").containsOnly(false);
        String later = addOk(bigToken, "My daughter studies marine biology");
        assertThat(inGraph(later))
                .as("a big caller's new memory joins the graph on insert")
                .isTrue();
        assertThat(texts(search(bigToken, Map.of("query", "What does my daughter study?"))))
                .first()
                .isEqualTo("My daughter studies marine biology");
        assertThat(texts(search(smallToken, Map.of("query", "What do I grow?"))))
                .first()
                .isEqualTo("I grow tomatoes on my balcony");
        assertThat(promotion.run()).as("nothing left to move").isZero();
    }

    @Test
    void aBigCallerWithAMemoryStillOutsideTheGraphFindsItAnyway() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);
        List<String> ids = TEXTS.stream().map(text -> addOk(token, text)).toList();
        promotion.run();
        // as if it had been added while the job was moving the others
        jdbc.sql("UPDATE memory.memories SET in_graph = false WHERE id = :id")
                .param("id", UUID.fromString(ids.get(2)))
                .update();

        assertThat(texts(search(token, Map.of("query", "What am I allergic to?"))))
                .first()
                .isEqualTo("I am allergic to peanuts");
        assertThat(ids(search(token, Map.of("query", "peanuts", "mode", "dense", "limit", 10))))
                .containsExactlyInAnyOrderElementsOf(ids);
    }
}
