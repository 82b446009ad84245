package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Hybrid ranking, filters, paging, patch + history, inference, erasure, export and acting as an admin. */
class MemoryLifecycleTest extends MemoryApiTest {

    @Test
    void anExactRareKeywordIsFoundByTheTextRankingEvenWhenEmbeddingsMissIt() {
        String token = newUser();
        addOk(token, "My router's serial number is QX7-4419-ZB");
        for (String filler : List.of(
                "I enjoy long walks by the river",
                "My favourite band plays jazz",
                "I am learning to bake sourdough bread",
                "We visited the museum of modern art last week")) {
            addOk(token, filler);
        }

        Response text = search(token, Map.of("query", "QX7-4419-ZB", "limit", 1, "mode", "text"));
        Response hybrid = search(token, Map.of("query", "what is QX7-4419-ZB", "limit", 1));

        assertThat(texts(text)).containsExactly("My router's serial number is QX7-4419-ZB");
        assertThat(text.json().get("results").get(0).get("textScore").asDouble())
                .isPositive();
        assertThat(texts(hybrid)).containsExactly("My router's serial number is QX7-4419-ZB");
        assertThat(hybrid.json().get("results").get(0).get("score").asDouble()).isBetween(0.0, 1.0);
    }

    @Test
    void everyFilterOfTheContractNarrowsTheSearch() {
        String token = newUser();
        addOk(
                token,
                Map.of(
                        "content",
                        "I like green tea",
                        "tags",
                        List.of("food", "drink"),
                        "importance",
                        0.9,
                        "metadata",
                        Map.of("source", "chat")));
        addOk(
                token,
                Map.of(
                        "content",
                        "I like black coffee",
                        "tags",
                        List.of("drink"),
                        "importance",
                        0.2,
                        "metadata",
                        Map.of("source", "import")));
        addOk(token, Map.of("content", "I like oolong tea", "tags", List.of("food"), "importance", 0.5));

        assertThat(texts(search(
                        token,
                        Map.of(
                                "query",
                                "what do I like to drink",
                                "filters",
                                Map.of("tags", Map.of("all", List.of("food", "drink")))))))
                .containsExactly("I like green tea");
        assertThat(texts(search(
                        token, Map.of("query", "drink", "filters", Map.of("tags", Map.of("any", List.of("drink")))))))
                .containsExactlyInAnyOrder("I like green tea", "I like black coffee");
        assertThat(texts(search(
                        token, Map.of("query", "drink", "filters", Map.of("metadata", Map.of("source", "import"))))))
                .containsExactly("I like black coffee");
        assertThat(texts(search(token, Map.of("query", "tea", "filters", Map.of("minImportance", 0.6)))))
                .containsExactly("I like green tea");
        assertThat(texts(search(
                        token,
                        Map.of(
                                "query",
                                "tea",
                                "filters",
                                Map.of(
                                        "createdAfter",
                                        Instant.now().plusSeconds(3600).toString())))))
                .isEmpty();
    }

    @Test
    void unknownFilterKeysAndBadModesAreRefusedNotIgnored() {
        String token = newUser();
        JsonNode problem = assertProblem(
                search(token, Map.of("query", "x", "filters", Map.of("user_id", "someone-else"))), 400, "validation");
        assertThat(problem.get("detail").asString()).contains("user_id");
        assertProblem(search(token, Map.of("query", "x", "mode", "magic")), 400, "validation");
        assertProblem(
                search(token, Map.of("query", "x", "filters", Map.of("metadata", Map.of("k", List.of(1))))),
                400,
                "validation");
    }

    @Test
    void aFilteredSearchStillFillsItsLimit() {
        String token = newUser();
        for (int i = 0; i < 30; i++) {
            addOk(token, Map.of("content", "Common note number " + i + " about gardening", "tags", List.of("common")));
        }
        for (int i = 0; i < 6; i++) {
            addOk(token, Map.of("content", "Rare note " + i + " about astronomy", "tags", List.of("rare")));
        }
        Response response = search(
                token,
                Map.of("query", "gardening", "limit", 5, "filters", Map.of("tags", Map.of("any", List.of("rare")))));
        assertThat(texts(response)).hasSize(5).allMatch(t -> t.startsWith("Rare note"));
    }

    @Test
    void listingPagesNewestFirstWithAnOpaqueCursor() {
        String token = newUser();
        List<String> added = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            added.add(addOk(token, "Page fact number " + i));
        }
        Response first = get("/api/v1/memories?limit=2", token);
        assertThat(first.status()).isEqualTo(200);
        List<String> seen = new ArrayList<>();
        String cursor = null;
        Response page = first;
        do {
            page.json().get("items").forEach(item -> seen.add(item.get("id").asString()));
            JsonNode next = page.json().get("nextCursor");
            cursor = next == null || next.isNull() ? null : next.asString();
            if (cursor != null) {
                page = get("/api/v1/memories?limit=2&cursor=" + cursor, token);
            }
        } while (cursor != null);
        assertThat(seen).containsExactlyElementsOf(added.reversed());
        assertProblem(get("/api/v1/memories?cursor=not-a-cursor", token), 400, "validation");
        assertProblem(get("/api/v1/memories?limit=0", token), 400, "validation");
    }

    @Test
    void patchingTheTextReEmbedsAndKeepsTheOldTextInHistory() {
        String token = newUser();
        String id = addOk(token, "I live in Porto");
        Response patched = send(
                "PATCH",
                "/api/v1/memories/" + id,
                token,
                JSON.writeValueAsString(Map.of("memory", "I live in Reykjavik", "tags", List.of("home"))));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        assertThat(patched.json().get("memory").asString()).isEqualTo("I live in Reykjavik");
        assertThat(patched.json().get("tags").toString()).contains("home");

        assertThat(texts(search(token, Map.of("query", "Iceland capital city home", "limit", 1, "mode", "dense"))))
                .containsExactly("I live in Reykjavik");
        JsonNode history =
                get("/api/v1/memories/" + id + "/history", token).json().get("items");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).get("event").asString()).isEqualTo("ADD");
        assertThat(history.get(1).get("event").asString()).isEqualTo("UPDATE");
        assertThat(history.get(1).get("oldMemory").asString()).isEqualTo("I live in Porto");
        assertThat(history.get(1).get("newMemory").asString()).isEqualTo("I live in Reykjavik");
    }

    @Test
    void inferenceKeepsTheUsersOwnStatementsAndUpdatesNearDuplicates() {
        String token = newUser();
        Response first = add(
                token,
                Map.of(
                        "messages",
                        List.of(
                                Map.of(
                                        "role",
                                        "user",
                                        "content",
                                        "Hi! I work as a pediatric nurse in Lyon. Can you help me plan a trip?"),
                                Map.of("role", "assistant", "content", "Sure, where would you like to go?"),
                                Map.of("role", "user", "content", "Thanks."))));
        assertThat(first.status()).as(first.body()).isEqualTo(201);
        JsonNode results = first.json().get("results");
        assertThat(results).hasSize(1);
        assertThat(results.get(0).get("memory").asString()).isEqualTo("I work as a pediatric nurse in Lyon.");
        assertThat(results.get(0).get("event").asString()).isEqualTo("ADD");
        String id = results.get(0).get("id").asString();

        Response second = add(
                token,
                Map.of(
                        "messages",
                        List.of(Map.of("role", "user", "content", "I work as a pediatric nurse in Lyon, France."))));
        JsonNode update = second.json().get("results").get(0);
        assertThat(update.get("event").asString()).isEqualTo("UPDATE");
        assertThat(update.get("id").asString()).isEqualTo(id);
        JsonNode history =
                get("/api/v1/memories/" + id + "/history", token).json().get("items");
        assertThat(history.get(1).get("oldMemory").asString()).isEqualTo("I work as a pediatric nurse in Lyon.");

        Response raw = add(
                token,
                Map.of("messages", List.of(Map.of("role", "user", "content", "What time is it?")), "infer", false));
        assertThat(raw.json().get("results").get(0).get("memory").asString()).isEqualTo("What time is it?");
    }

    @Test
    void erasureDeletesEverythingOfTheScopeAndCountsIt() {
        String token = newUser();
        addOk(token, Map.of("content", "Agent scoped fact one", "agentId", "planner"));
        addOk(token, Map.of("content", "Agent scoped fact two", "agentId", "planner"));
        addOk(token, "Unscoped fact");
        Response erased = delete("/api/v1/memories?agentId=planner", token);
        assertThat(erased.status()).isEqualTo(200);
        assertThat(erased.json().get("deleted").asInt()).isEqualTo(2);
        assertThat(get("/api/v1/memories", token).json().get("items")).hasSize(1);
        assertThat(delete("/api/v1/memories", token).json().get("deleted").asInt())
                .isEqualTo(1);
    }

    @Test
    void exportStreamsEveryMemoryAsOneJsonLineEach() throws Exception {
        String token = newUser();
        addOk(token, "Export fact one");
        addOk(token, "Export fact two: emoji 🎉, quotes \" and SQL '; DROP TABLE memories; --");
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/memories/export"))
                                .header("Authorization", "Bearer " + token)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/x-ndjson"));
        List<String> lines = response.body().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(JSON.readTree(lines.get(1)).get("memory").asString())
                .isEqualTo("Export fact two: emoji 🎉, quotes \" and SQL '; DROP TABLE memories; --");
    }

    @Test
    void onlyAdminsMayActForAnotherUser() {
        UUID alice = UUID.randomUUID();
        String id = addOk(jwts.user(alice), "Alice keeps her notes in a blue notebook");
        assertThat(get("/api/v1/memories/" + id + "?userId=" + alice, jwts.admin(UUID.randomUUID()))
                        .status())
                .isEqualTo(200);
        assertProblem(
                get("/api/v1/memories/" + id + "?userId=" + alice, jwts.user(UUID.randomUUID())), 403, "authorization");
    }
}
