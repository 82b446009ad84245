package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class SearchMemoryTest extends MemoryApiTest {

    @Autowired
    MeterRegistry meters;

    private long embeddings() {
        return meters.get("agency_embedding_seconds").timer().count();
    }

    @Test
    void aSearchOfAUserWithoutMemoriesEmbedsNothing() {
        String token = newUser();
        String query = "Which city do I live in? " + UUID.randomUUID(); // not in the query cache
        long before = embeddings();

        assertThat(texts(search(token, Map.of("query", query)))).isEmpty();
        assertThat(embeddings()).isEqualTo(before);

        addOk(token, "I live in Lisbon");
        long afterAdd = embeddings();
        assertThat(texts(search(token, Map.of("query", query)))).containsExactly("I live in Lisbon");
        assertThat(embeddings()).isEqualTo(afterAdd + 1);
    }

    private static final String SUSHI = "My favourite food is sushi";
    private static final String BERLIN = "I live in Berlin, the capital of Germany";
    private static final String ENGINEER = "I work as a software engineer at a bank";
    private static final String DOG = "I have a dog called Max";

    private String userWithFacts() {
        String token = newUser();
        for (String fact : List.of(SUSHI, BERLIN, ENGINEER, DOG)) {
            addOk(token, fact);
        }
        return token;
    }

    @Test
    void searchFindsTheSemanticallyClosestMemoryFirst() {
        String token = userWithFacts();

        assertThat(texts(search(token, Map.of("query", "What pet do I own?"))).getFirst())
                .isEqualTo(DOG);
        assertThat(texts(search(token, Map.of("query", "Which city is my home?")))
                        .getFirst())
                .isEqualTo(BERLIN);
        assertThat(texts(search(token, Map.of("query", "What is my job?"))).getFirst())
                .isEqualTo(ENGINEER);
        assertThat(texts(search(token, Map.of("query", "What do I like to eat?")))
                        .getFirst())
                .isEqualTo(SUSHI);
    }

    @Test
    void searchResultsCarryAScoreBestFirst() {
        String token = userWithFacts();

        Response response = search(token, Map.of("query", "Tell me about my pet"));

        JsonNode results = response.json().get("results");
        assertThat(results).hasSize(4);
        double previous = Double.MAX_VALUE;
        for (JsonNode result : results) {
            assertThat(result.get("score").isNumber()).isTrue();
            double score = result.get("score").asDouble();
            assertThat(score).isBetween(-1.0, 1.0).isLessThanOrEqualTo(previous);
            previous = score;
            assertThat(result.get("id").asString()).isNotBlank();
            assertThat(result.get("createdAt").asString()).isNotBlank();
        }
        assertThat(results.get(0).get("score").asDouble())
                .isGreaterThan(results.get(1).get("score").asDouble());
    }

    @Test
    void searchHonoursTheLimit() {
        String token = userWithFacts();

        assertThat(texts(search(token, Map.of("query", "my dog", "limit", 2)))).hasSize(2);
    }

    @Test
    void searchNeverReturnsAnotherUsersMemories() {
        String alice = newUser();
        String aliceId = addOk(alice, "My secret PIN code is 4711");
        String bob = newUser();
        addOk(bob, "I enjoy hiking in the Alps");

        List<String> bobsHits = ids(search(bob, Map.of("query", "My secret PIN code is 4711", "limit", 100)));

        assertThat(bobsHits).hasSize(1).doesNotContain(aliceId);
        assertThat(ids(search(alice, Map.of("query", "PIN code")))).containsExactly(aliceId);
    }

    @Test
    void searchOfAUserWithoutMemoriesIsEmpty() {
        assertThat(texts(search(newUser(), Map.of("query", "anything at all")))).isEmpty();
    }

    @Test
    void filtersAgentIdNarrowsTheSearchToThatAgent() {
        String token = newUser();
        String travelId = addOk(token, Map.of("content", "I want to visit Japan next year", "agentId", "travel"));
        String chefId = addOk(token, Map.of("content", "I want to learn to cook Japanese ramen", "agentId", "chef"));
        String plainId = addOk(token, "I want to see Japan in spring");

        Response travel = search(token, Map.of("query", "Japan", "filters", Map.of("agentId", "travel")));
        Response chef = search(token, Map.of("query", "Japan", "filters", Map.of("agentId", "chef")));
        Response all = search(token, Map.of("query", "Japan"));

        assertThat(ids(travel)).containsExactly(travelId);
        assertThat(travel.json().get("results").get(0).get("agentId").asString())
                .isEqualTo("travel");
        assertThat(ids(chef)).containsExactly(chefId);
        assertThat(ids(all)).containsExactlyInAnyOrder(travelId, chefId, plainId);
    }
}
