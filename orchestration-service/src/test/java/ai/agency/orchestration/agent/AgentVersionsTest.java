package ai.agency.orchestration.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import ai.agency.orchestration.model.MemoryBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Agent versions through the HTTP API: each change of content is a numbered version, a no-op PUT is none, diffs,
 * rollback as a new version, concurrent changes, the version on assistant messages and workflow steps pinned to a
 * version. The local model shows which version answered: a version's prompt carries a {@link MemoryBlock} fact the
 * model quotes, and only some versions have the calculator.
 */
class AgentVersionsTest extends OrchestrationApiTest {

    /** An agent body whose prompt makes the local model quote {@code fact} when asked about its words. */
    private static Map<String, Object> agent(String fact, List<String> tools) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "Versioned");
        body.put("description", "changes over time");
        body.put("systemPrompt", "You answer.\n\n" + MemoryBlock.HEADER + "\n- " + fact + "\n");
        body.put("model", Map.of("provider", "local"));
        body.put("tools", tools);
        return body;
    }

    private String create(String token, Map<String, Object> body) {
        Response created = post("/api/v1/agents", token, body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("version").asInt()).isEqualTo(1);
        return created.json().get("id").asString();
    }

    private JsonNode put(String token, String id, Map<String, Object> body) {
        Response updated = send("PUT", "/api/v1/agents/" + id, token, body);
        assertThat(updated.status()).as(updated.body()).isEqualTo(200);
        return updated.json();
    }

    private List<Integer> versionNumbers(String token, String id) {
        List<Integer> numbers = new ArrayList<>();
        get("/api/v1/agents/" + id + "/versions?limit=100", token)
                .json()
                .get("items")
                .forEach(v -> numbers.add(v.get("version").asInt()));
        return numbers;
    }

    @Test
    void eachChangeIsANewVersionAndANoOpPutIsNone() {
        UUID ownerId = UUID.randomUUID();
        String owner = jwts.user(ownerId);
        String id = create(owner, agent("apples are red", List.of("calculator")));

        assertThat(put(owner, id, agent("apples are red", List.of("calculator")))
                        .get("version")
                        .asInt())
                .isEqualTo(1);
        assertThat(put(owner, id, agent("apples are green", List.of("calculator")))
                        .get("version")
                        .asInt())
                .isEqualTo(2);
        JsonNode third = put(owner, id, agent("apples are green", List.of()));
        assertThat(third.get("version").asInt()).isEqualTo(3);
        assertThat(get("/api/v1/agents/" + id, owner).json().get("version").asInt())
                .isEqualTo(3);

        JsonNode versions = get("/api/v1/agents/" + id + "/versions", owner).json();
        assertThat(versionNumbers(owner, id)).containsExactly(3, 2, 1);
        JsonNode newest = versions.get("items").get(0);
        assertThat(newest.get("createdBy").asString()).isEqualTo(ownerId.toString());
        assertThat(newest.get("createdAt").asString()).isNotBlank();
        assertThat(newest.get("tools")).isEmpty();
        assertThat(versions.get("items").get(2).get("systemPrompt").asString()).contains("apples are red");

        JsonNode diff =
                get("/api/v1/agents/" + id + "/versions/1/diff/3", owner).json();
        assertThat(diff.get("changes")).hasSize(2);
        JsonNode prompt = diff.get("changes").get(0);
        assertThat(prompt.get("field").asString()).isEqualTo("systemPrompt");
        assertThat(prompt.get("old").asString()).contains("apples are red");
        assertThat(prompt.get("new").asString()).contains("apples are green");
        JsonNode tools = diff.get("changes").get(1);
        assertThat(tools.get("field").asString()).isEqualTo("tools");
        assertThat(tools.get("old").toString()).isEqualTo("[\"calculator\"]");
        assertThat(tools.get("new").toString()).isEqualTo("[]");
        assertThat(get("/api/v1/agents/" + id + "/versions/2/diff/2", owner)
                        .json()
                        .get("changes"))
                .isEmpty();

        JsonNode firstPage =
                get("/api/v1/agents/" + id + "/versions?limit=2", owner).json();
        assertThat(firstPage.get("items")).hasSize(2);
        JsonNode secondPage = get(
                        "/api/v1/agents/" + id + "/versions?limit=2&cursor="
                                + firstPage.get("nextCursor").asString(),
                        owner)
                .json();
        assertThat(secondPage.get("items")).hasSize(1);
        assertThat(secondPage.get("items").get(0).get("version").asInt()).isEqualTo(1);
        assertThat(secondPage.get("nextCursor").isNull()).isTrue();
    }

    @Test
    void rollbackMakesAnOldVersionCurrentAsANewOneAndMessagesNameTheirVersion() {
        String owner = newUser();
        String id = create(owner, agent("apples are red", List.of("calculator")));
        put(owner, id, agent("apples are green", List.of()));
        String conversation = newConversation(owner, id);

        JsonNode second = chat(conversation, owner, "What is 2 ^ 10?");
        assertThat(second.get("content").asString()).contains("calculator tool is not enabled");
        assertThat(second.get("agentVersion").asInt()).isEqualTo(2);
        assertThat(second.get("provider").asString()).isEqualTo("local");
        assertThat(second.get("model").asString()).isEqualTo("local-rules-1");

        Response rolledBack = post("/api/v1/agents/" + id + "/rollback", owner, Map.of("version", 1));
        assertThat(rolledBack.status()).as(rolledBack.body()).isEqualTo(200);
        assertThat(rolledBack.json().get("version").asInt()).isEqualTo(3);
        assertThat(rolledBack.json().get("tools").toString()).isEqualTo("[\"calculator\"]");
        assertThat(versionNumbers(owner, id)).containsExactly(3, 2, 1);
        assertThat(get("/api/v1/agents/" + id + "/versions/1/diff/3", owner)
                        .json()
                        .get("changes"))
                .isEmpty();
        // rolling back to the content that is already current records nothing
        assertThat(post("/api/v1/agents/" + id + "/rollback", owner, Map.of("version", 1))
                        .json()
                        .get("version")
                        .asInt())
                .isEqualTo(3);

        JsonNode third = chat(conversation, owner, "What is 2 ^ 10?");
        assertThat(third.get("content").asString()).isEqualTo("2 ^ 10 = 1024.");
        assertThat(third.get("agentVersion").asInt()).isEqualTo(3);

        JsonNode messages = get("/api/v1/conversations/" + conversation + "/messages", owner)
                .json()
                .get("items");
        assertThat(messages.get(0).has("agentVersion")).isFalse(); // the user's message
        assertThat(messages.get(1).get("agentVersion").asInt()).isEqualTo(2);
        assertThat(messages.get(3).get("agentVersion").asInt()).isEqualTo(3);
        assertThat(messages.get(3).get("provider").asString()).isEqualTo("local");
    }

    @Test
    void versionsOfOthersAgentsAndUnknownVersionsAreNotFoundAndBadBodiesRefused() {
        String owner = newUser();
        String id = create(owner, agent("apples are red", List.of()));
        String stranger = newUser();
        String base = "/api/v1/agents/" + id;
        assertProblem(get(base + "/versions", stranger), 404, "not_found");
        assertProblem(get(base + "/versions/1", stranger), 404, "not_found");
        assertProblem(get(base + "/versions/1/diff/1", stranger), 404, "not_found");
        assertProblem(post(base + "/rollback", stranger, Map.of("version", 1)), 404, "not_found");

        assertProblem(get(base + "/versions/9", owner), 404, "not_found");
        assertProblem(get(base + "/versions/1/diff/9", owner), 404, "not_found");
        assertProblem(post(base + "/rollback", owner, Map.of("version", 9)), 404, "not_found");
        assertProblem(get("/api/v1/agents/" + UUID.randomUUID() + "/versions", owner), 404, "not_found");

        JsonNode missing = assertProblem(post(base + "/rollback", owner, Map.of()), 400, "validation");
        assertThat(missing.get("errors").get(0).get("field").asString()).isEqualTo("version");
        JsonNode zero = assertProblem(post(base + "/rollback", owner, Map.of("version", 0)), 400, "validation");
        assertThat(zero.get("errors").get(0).get("field").asString()).isEqualTo("version");
        assertProblem(post(base + "/rollback", owner, Map.of("version", "latest")), 400, "validation");
        assertProblem(get(base + "/versions/one/diff/2", owner), 400, "validation");
        assertProblem(get(base + "/versions?limit=0", owner), 400, "validation");

        // the shared default assistant: anyone sees its versions, only admins roll it back
        String assistant = "/api/v1/agents/" + Agent.DEFAULT_ID;
        assertThat(versionNumbers(owner, Agent.DEFAULT_ID.toString())).contains(1);
        assertProblem(post(assistant + "/rollback", owner, Map.of("version", 1)), 403, "authorization");
    }

    @Test
    void concurrentChangesGetDistinctVersionNumbers() throws Exception {
        String owner = newUser();
        String id = create(owner, agent("fact 0", List.of()));
        int writers = 8;
        List<Callable<Integer>> puts = new ArrayList<>();
        Set<String> prompts = new HashSet<>();
        for (int i = 0; i <= writers; i++) {
            Map<String, Object> body = agent("fact " + i, List.of());
            prompts.add((String) body.get("systemPrompt"));
            if (i > 0) {
                puts.add(() -> put(owner, id, body).get("version").asInt());
            }
        }
        try (var pool = Executors.newFixedThreadPool(writers)) {
            for (Future<Integer> f : pool.invokeAll(puts)) {
                assertThat(f.get()).isBetween(2, writers + 1);
            }
        }
        assertThat(versionNumbers(owner, id)).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1);
        // each change is recorded once, under its own number
        Set<String> recorded = new HashSet<>();
        get("/api/v1/agents/" + id + "/versions?limit=100", owner)
                .json()
                .get("items")
                .forEach(v -> recorded.add(v.get("systemPrompt").asString()));
        assertThat(recorded).isEqualTo(prompts);
        assertThat(get("/api/v1/agents/" + id, owner).json().get("version").asInt())
                .isEqualTo(9);
    }

    @Test
    void aWorkflowStepPinnedToAVersionRunsThatVersionsPrompt() {
        String owner = newUser();
        String id = create(owner, agent("pinned apples answer first", List.of()));
        put(owner, id, agent("current apples answer second", List.of()));

        Response unknown =
                post("/api/v1/workflows", owner, Map.of("name", "wf", "steps", List.of(agentStep("a", id, 7))));
        JsonNode problem = assertProblem(unknown, 400, "validation");
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("steps[0].agentVersion");

        Response created = post(
                "/api/v1/workflows",
                owner,
                Map.of("name", "wf", "steps", List.of(agentStep("pinned", id, 1), agentStep("current", id, null))));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response started = post(
                "/api/v1/workflows/" + created.json().get("id").asString() + "/runs", owner, Map.of("input", Map.of()));
        assertThat(started.status()).as(started.body()).isEqualTo(202);
        String runId = started.json().get("runId").asString();
        JsonNode[] run = {null};
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            run[0] = get("/api/v1/runs/" + runId, owner).json();
            assertThat(run[0].get("status").asString()).isEqualTo("succeeded");
        });
        Map<String, String> outputs = new LinkedHashMap<>();
        run[0].get("steps")
                .forEach(
                        s -> outputs.put(s.get("id").asString(), s.get("output").asString()));
        assertThat(outputs.get("pinned")).contains("pinned apples answer first");
        assertThat(outputs.get("current")).contains("current apples answer second");
    }

    private static Map<String, Object> agentStep(String stepId, String agentId, Integer version) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", stepId);
        step.put("type", "agent");
        step.put("agentId", agentId);
        step.put("input", "What of apples?");
        if (version != null) {
            step.put("agentVersion", version);
        }
        return step;
    }
}
