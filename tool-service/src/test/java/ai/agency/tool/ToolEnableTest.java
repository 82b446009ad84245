package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Admins switch tools off and on: a disabled tool is hidden from non-admins and from the MCP server. */
class ToolEnableTest extends ToolApiTest {

    private Response patch(String path, String token, String rawJson) {
        return send("PATCH", path, token, rawJson);
    }

    private List<String> listed(String token) {
        return get("/api/v1/tools", token)
                .json()
                .get("items")
                .valueStream()
                .map(t -> t.get("name").asString())
                .toList();
    }

    private static List<String> mcpListed(McpSyncClient client) {
        return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    }

    @Test
    void aDisabledToolIsHiddenAndRefusedUntilEnabledAgain() {
        String admin = newAdmin();
        String user = newUser();
        String name = "switch_" + UUID.randomUUID().toString().substring(0, 8);
        Response registered = post(
                "/api/v1/tools",
                admin,
                Map.of(
                        "name",
                        name,
                        "description",
                        "echo",
                        "parameters",
                        Map.of("type", "object"),
                        "endpoint",
                        stubUrl("localhost") + "/echo"));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        assertSucceeded(executeOk(user, name, Map.of()));

        Response disabled = patch("/api/v1/tools/" + name, admin, "{\"enabled\": false}");

        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
        assertThat(listed(user)).doesNotContain(name).contains("calculator");
        assertThat(listed(admin)).contains(name);
        assertThat(get("/api/v1/tools/" + name, admin).json().get("enabled").asBoolean())
                .isFalse();
        assertProblem(get("/api/v1/tools/" + name, user), 404, "not_found");
        assertProblem(execute(user, name, Map.of()), 404, "not_found");
        JsonNode conflict = assertProblem(execute(admin, name, Map.of()), 409, "conflict");
        assertThat(conflict.get("detail").asString()).contains("disabled");
        try (McpSyncClient client = mcpClient(user)) {
            client.initialize();
            assertThat(mcpListed(client)).doesNotContain(name).contains("calculator");

            assertThat(patch("/api/v1/tools/" + name, admin, "{\"enabled\": true}")
                            .json()
                            .get("enabled")
                            .asBoolean())
                    .isTrue();

            assertThat(mcpListed(client)).contains(name);
        }
        assertThat(listed(user)).contains(name);
        assertSucceeded(executeOk(user, name, Map.of()));
    }

    @Test
    void onlyAdminsSwitchToolsAndTheBodyIsChecked() {
        assertProblem(patch("/api/v1/tools/calculator", newUser(), "{\"enabled\": false}"), 403, "authorization");
        assertProblem(
                patch("/api/v1/tools/calculator", jwts.viewer(UUID.randomUUID()), "{\"enabled\": false}"),
                403,
                "authorization");
        assertProblem(patch("/api/v1/tools/no_such_tool", newAdmin(), "{\"enabled\": false}"), 404, "not_found");
        assertThat(errorFields(assertProblem(patch("/api/v1/tools/calculator", newAdmin(), "{}"), 400, "validation")))
                .containsExactly("enabled");
        assertProblem(patch("/api/v1/tools/calculator", newAdmin(), "{\"enabled\": \"maybe\"}"), 400, "validation");
        assertThat(get("/api/v1/tools/calculator", newUser())
                        .json()
                        .get("enabled")
                        .asBoolean())
                .isTrue();
    }
}
