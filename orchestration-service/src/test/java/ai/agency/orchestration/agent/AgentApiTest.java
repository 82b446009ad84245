package ai.agency.orchestration.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.orchestration.OrchestrationApiTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AgentApiTest extends OrchestrationApiTest {

    private static Map<String, Object> agent(String name, Object shared) {
        return shared == null
                ? Map.of(
                        "name",
                        name,
                        "description",
                        "does sums",
                        "capabilities",
                        List.of("math"),
                        "systemPrompt",
                        "You calculate.",
                        "model",
                        Map.of("provider", "local", "temperature", 0.2),
                        "tools",
                        List.of("calculator"))
                : Map.of("name", name, "tools", List.of("calculator"), "shared", shared);
    }

    @Test
    void theDefaultAssistantExistsForEveryone() {
        JsonNode items = get("/api/v1/agents", newUser()).json().get("items");
        assertThat(items.get(0).get("id").asString()).isEqualTo("00000000-0000-0000-0000-000000000001");
        assertThat(items.get(0).get("tools").toString()).contains("calculator", "add_memory");
    }

    @Test
    void usersOwnTheirAgents() {
        String owner = newUser();
        Response created = post("/api/v1/agents", owner, agent("Summer", null));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(created.json().get("model").get("provider").asString()).isEqualTo("local");
        assertThat(created.json().get("capabilities").get(0).asString()).isEqualTo("math");

        assertThat(get("/api/v1/agents/" + id, owner).status()).isEqualTo(200);
        String stranger = newUser();
        assertProblem(get("/api/v1/agents/" + id, stranger), 404, "not_found");
        assertProblem(send("PUT", "/api/v1/agents/" + id, stranger, agent("Mine", null)), 404, "not_found");
        assertProblem(send("DELETE", "/api/v1/agents/" + id, stranger, null), 404, "not_found");
        assertProblem(post("/api/v1/conversations", stranger, Map.of("agentId", id)), 400, "validation");

        Response updated = send("PUT", "/api/v1/agents/" + id, owner, agent("Autumn", null));
        assertThat(updated.json().get("name").asString()).isEqualTo("Autumn");

        String conversation = newConversation(owner, id);
        assertThat(chat(conversation, owner, "What is 2 ^ 10?").get("content").asString())
                .isEqualTo("2 ^ 10 = 1024.");

        assertThat(send("DELETE", "/api/v1/agents/" + id, owner, null).status()).isEqualTo(204);
        assertProblem(get("/api/v1/agents/" + id, owner), 404, "not_found");
    }

    @Test
    void onlyAdminsPublishSharedAgents() {
        assertProblem(post("/api/v1/agents", newUser(), agent("Public", true)), 403, "authorization");
        Response published = post("/api/v1/agents", jwts.admin(UUID.randomUUID()), agent("Public", true));
        assertThat(published.status()).isEqualTo(201);
        String id = published.json().get("id").asString();
        String user = newUser();
        assertThat(get("/api/v1/agents/" + id, user).json().get("shared").asBoolean())
                .isTrue();
        assertProblem(send("DELETE", "/api/v1/agents/" + id, user, null), 403, "authorization");
        assertProblem(
                send("DELETE", "/api/v1/agents/00000000-0000-0000-0000-000000000001", user, null),
                403,
                "authorization");
    }

    @Test
    void agentsAreValidated() {
        String token = newUser();
        JsonNode problem = assertProblem(post("/api/v1/agents", token, Map.of("name", "")), 400, "validation");
        assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("name");
        // every provider is configured in the tests, so an unknown name is the one to refuse
        JsonNode unknown = assertProblem(
                post("/api/v1/agents", token, Map.of("name", "x", "model", Map.of("provider", "skynet"))),
                400,
                "validation");
        assertThat(unknown.get("detail").asString()).contains("model.provider");
    }
}
