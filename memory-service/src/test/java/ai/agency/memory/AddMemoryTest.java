package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

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
}
