package ai.agency.memory;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * memory-service's side of a user's export and erasure (/internal/account-data, auth-service's jobs): every kind is
 * exported for its user only, without vectors; erasure leaves no copy of the user's texts in any table of the schema
 * and nothing of anyone else's; no other token reaches the endpoints.
 */
class AccountDataTest extends MemoryApiTest {

    @Autowired
    JdbcClient jdbc;

    private String dataToken(UUID user) {
        return jwts.withScopes(user, List.of("user"), List.of("account_data"));
    }

    /** A user with a memory edited once, one deleted, one live: every kind of row memory-service keeps. */
    private String seed(UUID user, String marker) {
        String token = jwts.user(user);
        String kept = addOk(
                token,
                Map.of(
                        "content",
                        "My bike lock code is " + marker + " one",
                        "infer",
                        false,
                        "tags",
                        List.of("tag-" + marker),
                        "metadata",
                        Map.of("note", "meta-" + marker),
                        "agentId",
                        "agent-" + marker,
                        "sessionId",
                        "session-" + marker));
        Response patched = send(
                "PATCH",
                "/api/v1/memories/" + kept,
                token,
                JSON.writeValueAsString(Map.of("memory", "My bike lock code is " + marker + " two")));
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        String gone = addOk(token, Map.of("content", "I once lived at " + marker + " street", "infer", false));
        assertThat(delete("/api/v1/memories/" + gone, token).status()).isEqualTo(204);
        jdbc.sql("INSERT INTO memory.usage_outbox (id, user_id, at, kind, subject) VALUES (:id, :u, now(), 'x', :s)")
                .param("id", UUID.randomUUID())
                .param("u", user)
                .param("s", "usage-" + marker)
                .update();
        return kept;
    }

    private List<JsonNode> export(UUID user, String kind) {
        Response response = get("/internal/account-data/export/" + kind, dataToken(user));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/x-ndjson");
        return response.body().lines().map(JSON::readTree).toList();
    }

    @Test
    void exportsEveryKindOfItsUserAndErasureLeavesNoTextOfTheirsInAnyTable() {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        String aliceMarker = "alice-" + UUID.randomUUID();
        String bobMarker = "bob-" + UUID.randomUUID();
        seed(alice, aliceMarker);
        String bobsMemory = seed(bob, bobMarker);

        Response kinds = get("/internal/account-data/kinds", dataToken(alice));
        assertThat(kinds.status()).as(kinds.body()).isEqualTo(200);
        assertThat(kinds.json().get("service").asString()).isEqualTo("memory-service");
        assertThat(kinds.json().get("kinds").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder("memories", "memory_history", "usage_outbox");

        List<JsonNode> memories = export(alice, "memories");
        assertThat(memories).hasSize(1);
        JsonNode memory = memories.getFirst();
        assertThat(memory.get("memory").asString()).isEqualTo("My bike lock code is " + aliceMarker + " two");
        assertThat(memory.get("tags").toString()).contains("tag-" + aliceMarker);
        assertThat(memory.get("metadata").get("note").asString()).isEqualTo("meta-" + aliceMarker);
        assertThat(memory.get("agentId").asString()).isEqualTo("agent-" + aliceMarker);
        assertThat(memory.get("sessionId").asString()).isEqualTo("session-" + aliceMarker);
        assertThat(memory.has("embedding")).as("no vectors in the export").isFalse();

        List<JsonNode> history = export(alice, "memory_history");
        assertThat(history.stream().map(h -> h.get("event").asString()))
                .containsExactly("ADD", "UPDATE", "ADD", "DELETE");
        assertThat(history.get(1).get("oldMemory").asString()).contains(aliceMarker + " one");
        assertThat(history.get(1).get("newMemory").asString()).contains(aliceMarker + " two");
        assertThat(history.get(2).get("newMemory").isNull())
                .as("a deleted memory's history has no text")
                .isTrue();
        List<JsonNode> usage = export(alice, "usage_outbox"); // the relay may have delivered the row already
        // rows the service wrote itself (tool_call, memory_added, ...) stay until the relay delivers them, as may 'x'
        assertThat(usage.stream().filter(u -> u.get("kind").asString().equals("x")))
                .allSatisfy(u -> assertThat(u.get("subject").asString()).isEqualTo("usage-" + aliceMarker));
        assertThat(memories.toString() + history + usage).doesNotContain(bobMarker);

        Response erased = delete("/internal/account-data", dataToken(alice));
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        assertThat(erased.json().get("erased").get("memories").asLong()).isEqualTo(1);
        assertThat(erased.json().get("erased").get("memory_history").asLong()).isEqualTo(4);
        Response again = delete("/internal/account-data", dataToken(alice));
        assertThat(again.status()).as("erasing twice is harmless").isEqualTo(200);
        assertThat(again.json().get("erased").get("memories").asLong()).isZero();
        assertThat(again.json().get("erased").get("memory_history").asLong()).isZero();
        assertThat(again.json().get("erased").get("usage_outbox").asLong()).isZero();

        assertThat(tablesHolding(aliceMarker))
                .as("tables still holding alice's texts")
                .isEmpty();
        assertThat(tablesHolding(bobMarker)).containsKeys("memories", "memory_history");
        assertThat(export(alice, "memories")).isEmpty();
        assertThat(export(alice, "memory_history")).isEmpty();
        Response bobs = get("/api/v1/memories/" + bobsMemory, jwts.user(bob));
        assertThat(bobs.status()).isEqualTo(200);
        assertThat(bobs.json().get("memory").asString()).contains(bobMarker);
    }

    @Test
    void noOtherTokenExportsOrErases() {
        UUID carol = UUID.randomUUID();
        String marker = "carol-" + UUID.randomUUID();
        seed(carol, marker);
        String admin = jwts.admin(UUID.randomUUID());
        for (String token : Arrays.asList(jwts.user(carol), admin, null)) {
            int expected = token == null ? 401 : 403;
            String type = token == null ? "authentication" : "authorization";
            assertProblem(get("/internal/account-data/kinds", token), expected, type);
            assertProblem(get("/internal/account-data/export/memories", token), expected, type);
            assertProblem(delete("/internal/account-data", token), expected, type);
        }
        assertThat(tablesHolding(marker)).containsKeys("memories", "memory_history");
        // the job's token reaches nothing else of the user's
        assertThat(get("/api/v1/memories", dataToken(carol)).status()).isEqualTo(403);
        assertThat(delete("/api/v1/memories", dataToken(carol)).status()).isEqualTo(403);
        assertThat(tablesHolding(marker)).containsKeys("memories", "memory_history");
    }

    /**
     * 20,000 memories of one user, inserted with SQL, come out as 20,000 NDJSON lines, read as they stream. The
     * server reads them from a cursor: the heap it retains half way through is logged (not asserted: GC timing varies).
     */
    @Test
    void manyMemoriesStreamOutLineByLine() throws Exception {
        UUID dave = UUID.randomUUID();
        int rows = 20_000;
        jdbc.sql("""
                        INSERT INTO memory.memories (id, user_id, content, content_hash, embedding, embedding_model)
                        SELECT gen_random_uuid(), :u, 'bulk memory number ' || n, md5('bulk' || n),
                               (SELECT array_fill(0.1::real, ARRAY[dimensions])::vector FROM memory.embedding_config),
                               (SELECT model FROM memory.embedding_config)
                        FROM generate_series(1, :n) AS n""").param("u", dave).param("n", rows).update();
        var memoryBean = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memoryBean.getHeapMemoryUsage().getUsed();
        AtomicLong lines = new AtomicLong();
        AtomicLong halfWay = new AtomicLong();
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://localhost:" + port + "/internal/account-data/export/memories"))
                                .header("Authorization", "Bearer " + dataToken(dave))
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        response.body().forEach(line -> {
            assertThat(line).startsWith("{\"id\":");
            if (lines.incrementAndGet() == rows / 2) { // what the heap retains mid-stream
                System.gc();
                halfWay.set(memoryBean.getHeapMemoryUsage().getUsed());
            }
        });
        assertThat(lines).hasValue(rows);
        System.out.printf(
                "account-data export of %d memories: heap retained %d MB before, %d MB half way through%n",
                rows, heapBefore >> 20, halfWay.get() >> 20);

        Response erased = delete("/internal/account-data", dataToken(dave));
        assertThat(erased.json().get("erased").get("memories").asLong()).isEqualTo(rows);
    }

    /** The tables of memory-service's schema with rows whose text holds {@code marker}, and how many. */
    private Map<String, Long> tablesHolding(String marker) {
        Map<String, Long> found = new LinkedHashMap<>();
        for (String table : jdbc.sql("SELECT table_name FROM information_schema.tables "
                        + "WHERE table_schema = 'memory' AND table_type = 'BASE TABLE' ORDER BY table_name")
                .query(String.class)
                .list()) {
            long rows = jdbc.sql("SELECT count(*) FROM memory.\"" + table + "\" t WHERE t::text LIKE '%' || :m || '%'")
                    .param("m", marker)
                    .query(Long.class)
                    .single();
            if (rows > 0) {
                found.put(table, rows);
            }
        }
        return found;
    }
}
