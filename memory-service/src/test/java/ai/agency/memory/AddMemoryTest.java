package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

class AddMemoryTest extends MemoryApiTest {

    @Autowired
    JdbcClient jdbc;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    private long embeddings() {
        return meters.get("agency_embedding_seconds").timer().count();
    }

    @Test
    void aFactExtractedAgainIsANoopThatIsNotEmbedded() {
        String token = newUser();
        String said = "I play the cello in an orchestra.";
        String id = addOk(token, said);
        long before = embeddings();

        Response again = add(
                token,
                Map.of(
                        "messages",
                        List.of(
                                Map.of("role", "user", "content", said + " What should I practise today?"),
                                Map.of("role", "assistant", "content", "Scales, then the Bach suite."))));

        assertThat(again.status()).as(again.body()).isEqualTo(201);
        JsonNode results = again.json().get("results");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("event").asString()).isEqualTo("NOOP");
        assertThat(results.get(0).get("id").asString()).isEqualTo(id);
        assertThat(embeddings()).isEqualTo(before);

        Response more = add(
                token,
                Map.of("messages", List.of(Map.of("role", "user", "content", said + " My teacher is from Riga."))));
        assertThat(more.json().get("results").findValuesAsString("event")).containsExactly("NOOP", "ADD");
        assertThat(embeddings()).isEqualTo(before + 1); // the new fact only
    }

    @Test
    void addAnswers201WithTheStoredMemory() {
        Response response = add(newUser(), Map.of("content", "  I prefer green tea over coffee  "));

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        JsonNode results = response.json().get("results");
        assertThat(results).hasSize(1);
        assertThat(UUID.fromString(results.get(0).get("id").asString())).isNotNull();
        assertThat(results.get(0).get("memory").asString()).isEqualTo("I prefer green tea over coffee");
        assertThat(results.get(0).get("event").asString()).isEqualTo("ADD");
    }

    @Test
    void addingTheSameTextAgainInAnotherCaseAndSpacingIsANoopWithTheSameId() {
        String token = newUser();
        String id = addOk(token, "My car is a blue Volvo");

        Response again = add(token, Map.of("content", "  my CAR   is a\tblue volvo "));

        assertThat(again.status()).as(again.body()).isEqualTo(201);
        JsonNode results = again.json().get("results");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("event").asString()).isEqualTo("NOOP");
        assertThat(results.get(0).get("id").asString()).isEqualTo(id);
        assertThat(results.get(0).get("memory").asString()).isEqualTo("My car is a blue Volvo");
    }

    @Test
    void theSameTextOfAnotherUserIsItsOwnMemory() {
        String id = addOk(newUser(), "I was born in Lisbon");

        String otherId = addOk(newUser(), "I was born in Lisbon");

        assertThat(otherId).isNotEqualTo(id);
    }

    @Test
    void getAnswersTheOwnMemoryWithItsFields() {
        String token = newUser();
        String id = addOk(
                token,
                Map.of(
                        "content", "I run a marathon every spring",
                        "agentId", "coach",
                        "sessionId", "s-1",
                        "tags", List.of("sport", "habit"),
                        "metadata", Map.of("source", "chat")));

        Response response = get("/api/v1/memories/" + id, token);

        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode memory = response.json();
        assertThat(memory.get("id").asString()).isEqualTo(id);
        assertThat(memory.get("memory").asString()).isEqualTo("I run a marathon every spring");
        assertThat(memory.get("agentId").asString()).isEqualTo("coach");
        assertThat(memory.get("sessionId").asString()).isEqualTo("s-1");
        assertThat(memory.get("tags")).hasSize(2);
        assertThat(memory.get("tags").get(0).asString()).isEqualTo("sport");
        assertThat(memory.get("tags").get(1).asString()).isEqualTo("habit");
        assertThat(memory.get("importance").asDouble()).isEqualTo(0.5);
        assertThat(memory.get("metadata").get("source").asString()).isEqualTo("chat");
        assertThat(memory.get("createdAt").asString()).isNotBlank();
    }

    @Test
    void getAnswersTheImportanceAsItWasGiven() {
        String token = newUser();
        String id = addOk(token, Map.of("content", "My bank is called Northbank", "importance", 0.7));

        JsonNode memory = get("/api/v1/memories/" + id, token).json();

        assertThat(memory.get("importance").asDouble()).isEqualTo(0.7);
    }

    @Test
    void messagesStoreOnlyTheUsersMessages() {
        UUID user = UUID.randomUUID();
        String token = jwts.user(user);

        Response response = add(
                token,
                Map.of(
                        "messages",
                        List.of(
                                Map.of("role", "user", "content", "I am allergic to peanuts"),
                                Map.of("role", "assistant", "content", "Noted: you must never eat peanut butter"),
                                Map.of("role", "user", "content", "My sister is called Clara"))));

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        JsonNode results = response.json().get("results");
        assertThat(results).hasSize(2);
        assertThat(results.get(0).get("memory").asString()).isEqualTo("I am allergic to peanuts");
        assertThat(results.get(1).get("memory").asString()).isEqualTo("My sister is called Clara");
        assertThat(results.get(0).get("event").asString()).isEqualTo("ADD");
        assertThat(results.get(1).get("event").asString()).isEqualTo("ADD");
        List<String> stored = jdbc.sql("SELECT content FROM memory.memories WHERE user_id = :u ORDER BY content")
                .param("u", user)
                .query(String.class)
                .list();
        assertThat(stored).containsExactly("I am allergic to peanuts", "My sister is called Clara");
    }

    @Test
    void aViewerMayNotAddMemories() {
        UUID viewer = UUID.randomUUID();

        JsonNode problem = assertProblem(
                add(jwts.viewer(viewer), Map.of("content", "Viewers cannot write this")), 403, "authorization");

        assertThat(problem.has("errors")).isFalse();
        assertThat(jdbc.sql("SELECT count(*) FROM memory.memories WHERE user_id = :u")
                        .param("u", viewer)
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aViewerMayReadItsMemoriesButNotDeleteThem() {
        UUID user = UUID.randomUUID();
        String id = addOk(jwts.user(user), "I keep my passport in the top drawer");

        assertThat(get("/api/v1/memories/" + id, jwts.viewer(user)).status()).isEqualTo(200);
        assertProblem(delete("/api/v1/memories/" + id, jwts.viewer(user)), 403, "authorization");
        assertThat(get("/api/v1/memories/" + id, jwts.user(user)).status()).isEqualTo(200);
    }

    @Test
    void anExpiryInThePastIsRefused() {
        Response response = add(
                newUser(),
                Map.of(
                        "content",
                        "I am in Paris",
                        "expiresAt",
                        Instant.now().minusSeconds(60).toString()));
        assertProblem(response, 400, "validation");
        assertThat(response.body()).contains("expiresAt");
    }

    @Test
    void addingATextWhoseEarlierCopyHasExpiredStoresItAgain() {
        String token = newUser();
        String first = addOk(
                token,
                Map.of(
                        "content",
                        "I am on holiday in Rome",
                        "expiresAt",
                        Instant.now().plusSeconds(3600).toString()));
        jdbc.sql("UPDATE memory.memories SET expires_at = now() - interval '1 minute' WHERE id = :id")
                .param("id", UUID.fromString(first))
                .update();

        Response again = add(token, Map.of("content", "I am on holiday in Rome"));

        assertThat(again.status()).as(again.body()).isEqualTo(201);
        String id = again.json().get("results").get(0).get("id").asString();
        assertThat(get("/api/v1/memories/" + id, token).status())
                .as("the memory the answer names must be readable")
                .isEqualTo(200);
    }

    @Test
    void aBatchedAddGivesTheSameEventsMemoriesAndHistoryAsAddingTheTextsOneByOne() {
        List<String> texts = List.of(
                "I collect vintage cameras",
                "My dentist is Dr. Okafor",
                "  i COLLECT   vintage cameras ",
                "I collect vintage cameras",
                "My flat is on the 3rd floor 🏠 'quoted'; DROP TABLE x; --",
                "My dentist is Dr. Okafor",
                "I speak Portuguese");
        UUID oneByOne = UUID.randomUUID();
        UUID batched = UUID.randomUUID();
        // both users already have one of the texts: it must come back as a NOOP naming the stored memory
        addOk(jwts.user(oneByOne), "I speak Portuguese");
        addOk(jwts.user(batched), "I speak Portuguese");

        List<String> singleEvents = new java.util.ArrayList<>();
        List<String> singleIds = new java.util.ArrayList<>();
        for (String text : texts) {
            JsonNode result = add(jwts.user(oneByOne), Map.of("content", text, "agentId", "a1"))
                    .json()
                    .get("results")
                    .get(0);
            singleEvents.add(
                    result.get("event").asString() + " " + result.get("memory").asString());
            singleIds.add(result.get("id").asString());
        }
        Response response = add(
                jwts.user(batched),
                Map.of(
                        "messages",
                        texts.stream()
                                .map(t -> Map.of("role", "user", "content", t))
                                .toList(),
                        "infer",
                        false,
                        "agentId",
                        "a1"));

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        // the request drops exact repeats of a message before storing; the rest keep their order
        List<String> distinct = texts.stream().map(String::strip).distinct().toList();
        List<String> expectedEvents = new java.util.ArrayList<>();
        List<String> expectedIds = new java.util.ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < texts.size(); i++) {
            if (seen.add(texts.get(i).strip())) {
                expectedEvents.add(singleEvents.get(i));
                expectedIds.add(singleIds.get(i));
            }
        }
        assertThat(expectedEvents)
                .containsExactly(
                        "ADD I collect vintage cameras",
                        "ADD My dentist is Dr. Okafor",
                        "NOOP I collect vintage cameras",
                        "ADD My flat is on the 3rd floor 🏠 'quoted'; DROP TABLE x; --",
                        "ADD I speak Portuguese");
        JsonNode results = response.json().get("results");
        assertThat(results).hasSize(distinct.size());
        List<String> batchEvents = new java.util.ArrayList<>();
        for (JsonNode result : results) {
            batchEvents.add(
                    result.get("event").asString() + " " + result.get("memory").asString());
        }
        assertThat(batchEvents).containsExactlyElementsOf(expectedEvents);
        // the NOOP of the repeated text names the memory added earlier in the same request
        assertThat(results.get(2).get("id").asString())
                .isEqualTo(results.get(0).get("id").asString());
        assertThat(expectedIds.get(2)).isEqualTo(expectedIds.get(0));
        assertThat(stored(batched)).isEqualTo(stored(oneByOne));
        assertThat(historyOf(batched)).isEqualTo(historyOf(oneByOne));
        for (JsonNode result : results) {
            assertThat(get("/api/v1/memories/" + result.get("id").asString(), jwts.user(batched))
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aBatchedAddStoresAgainTheTextsWhoseEarlierCopiesExpired() {
        UUID user = UUID.randomUUID();
        String expired = addOk(
                jwts.user(user),
                Map.of(
                        "content",
                        "I am in Rome",
                        "expiresAt",
                        Instant.now().plusSeconds(3600).toString()));
        String live = addOk(jwts.user(user), "I like olives");
        jdbc.sql("UPDATE memory.memories SET expires_at = now() - interval '1 minute' WHERE id = :id")
                .param("id", UUID.fromString(expired))
                .update();

        Response response = add(
                jwts.user(user),
                Map.of(
                        "messages",
                        List.of(
                                Map.of("role", "user", "content", "I am in Rome"),
                                Map.of("role", "user", "content", "I like olives")),
                        "infer",
                        false));

        assertThat(response.status()).as(response.body()).isEqualTo(201);
        JsonNode results = response.json().get("results");
        assertThat(results.get(0).get("event").asString()).isEqualTo("ADD");
        assertThat(results.get(0).get("id").asString()).isNotEqualTo(expired);
        assertThat(results.get(1).get("event").asString()).isEqualTo("NOOP");
        assertThat(results.get(1).get("id").asString()).isEqualTo(live);
        assertThat(stored(user)).containsExactly("I am in Rome | - | 0.5 | 384", "I like olives | - | 0.5 | 384");
    }

    private List<String> stored(UUID user) {
        return jdbc.sql("SELECT content || ' | ' || coalesce(agent_id, '-') || ' | ' || importance || ' | ' "
                        + "|| vector_dims(embedding) FROM memory.memories WHERE user_id = :u ORDER BY content")
                .param("u", user)
                .query(String.class)
                .list();
    }

    private List<String> historyOf(UUID user) {
        return jdbc.sql("SELECT h.event || ' | ' || coalesce(h.old_memory, '-') || ' | ' || h.new_memory "
                        + "|| ' | ' || (h.actor = h.user_id) || ' | ' || (m.id IS NOT NULL) "
                        + "FROM memory.memory_history h LEFT JOIN memory.memories m ON m.id = h.memory_id "
                        + "WHERE h.user_id = :u ORDER BY h.new_memory, h.id")
                .param("u", user)
                .query(String.class)
                .list();
    }
}
