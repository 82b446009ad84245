package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.McpHttpClientTransportAuthorizationException;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** tool-service as an MCP server: a real MCP client (the SDK's streamable-HTTP transport) against {@code /mcp}. */
class McpServerTest extends ToolApiTest {

    private static Map<String, Object> structured(McpSchema.CallToolResult result) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) result.structuredContent();
        return map;
    }

    private static String text(McpSchema.CallToolResult result) {
        return ((McpSchema.TextContent) result.content().get(0)).text();
    }

    private static McpSchema.CallToolResult call(McpSyncClient client, String tool, Map<String, Object> arguments) {
        return client.callTool(new McpSchema.CallToolRequest(tool, arguments));
    }

    private static List<String> toolNames(McpSyncClient client) {
        return client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
    }

    @Test
    void listsTheRegistryWithSchemasAndRunsTheCalculator() {
        try (McpSyncClient client = mcpClient(newUser())) {
            McpSchema.InitializeResult init = client.initialize();
            assertThat(init.serverInfo().name()).isEqualTo("agency-tool-service");
            assertThat(init.capabilities().tools()).isNotNull();

            List<McpSchema.Tool> tools = client.listTools().tools();
            List<String> rest = get("/api/v1/tools", newUser())
                    .json()
                    .get("items")
                    .valueStream()
                    .filter(t -> t.get("enabled").asBoolean())
                    .map(t -> t.get("name").asString())
                    .toList();
            assertThat(tools.stream().map(McpSchema.Tool::name)).containsExactlyInAnyOrderElementsOf(rest);
            McpSchema.Tool calculator = tools.stream()
                    .filter(t -> t.name().equals("calculator"))
                    .findFirst()
                    .orElseThrow();
            JsonNode restSchema =
                    get("/api/v1/tools/calculator", newUser()).json().get("parameters");
            assertThat((JsonNode) JSON.valueToTree(calculator.inputSchema())).isEqualTo(restSchema);
            assertThat(calculator.annotations().readOnlyHint()).isTrue();
            McpSchema.Tool addMemory = tools.stream()
                    .filter(t -> t.name().equals("add_memory"))
                    .findFirst()
                    .orElseThrow();
            assertThat(addMemory.annotations().readOnlyHint()).isFalse();

            McpSchema.CallToolResult result = call(client, "calculator", Map.of("expression", "(2 + 3) * 4 ^ 2"));

            assertThat(result.isError()).as(result.toString()).isFalse();
            assertThat(((Number) structured(result).get("result")).doubleValue())
                    .isEqualTo(80.0);
            assertThat(JSON.readTree(text(result)).get("result").asDouble()).isEqualTo(80.0);
        }
    }

    @Test
    void invalidArgumentsAreAnErrorResultNamingEachViolation() {
        try (McpSyncClient client = mcpClient(newUser())) {
            client.initialize();

            McpSchema.CallToolResult result =
                    call(client, "add_memory", Map.of("importance", 7, "tags", List.of(1), "unknown", true));

            assertThat(result.isError()).isTrue();
            assertThat(structured(result).get("errorType")).isEqualTo("validation");
            @SuppressWarnings("unchecked")
            List<Map<String, String>> errors =
                    (List<Map<String, String>>) structured(result).get("errors");
            assertThat(errors.stream().map(e -> e.get("field")))
                    .containsExactlyInAnyOrder(
                            "parameters.content", "parameters.importance", "parameters.tags[0]", "parameters.unknown");
            assertThat(text(result)).startsWith("validation: ").contains("parameters.content");

            // a built-in's own checks beyond the schema answer the same way (and nothing reaches memory-service)
            RECEIVED.remove("/memory/api/v1/memories/search");
            McpSchema.CallToolResult badInstant =
                    call(client, "search_memory", Map.of("query", "tea", "asOf", "2025-02-30T00:00:00Z"));
            assertThat(badInstant.isError()).isTrue();
            assertThat(structured(badInstant).get("errorType")).isEqualTo("validation");
            @SuppressWarnings("unchecked")
            List<Map<String, String>> instantErrors =
                    (List<Map<String, String>>) structured(badInstant).get("errors");
            assertThat(instantErrors.stream().map(e -> e.get("field"))).containsExactly("parameters.asOf");
            assertThat(RECEIVED).doesNotContainKey("/memory/api/v1/memories/search");

            McpSchema.CallToolResult failing = call(client, "calculator", Map.of("expression", "1 / 0"));
            assertThat(failing.isError()).isTrue();
            assertThat(structured(failing).get("errorType")).isEqualTo("validation");
        }
    }

    @Test
    void aTokenWithoutWriteScopeMayListButNotCallToolsOverMcp() {
        // a viewer, and a user's read-only token (as an API key's): tools/call is a write, tools/list a read
        for (String token : List.of(
                jwts.viewer(UUID.randomUUID()),
                jwts.withScopes(UUID.randomUUID(), List.of("admin", "user"), List.of("read")))) {
            try (McpSyncClient client = mcpClient(token)) {
                client.initialize();
                RECEIVED.remove("/memory/api/v1/memories");
                assertThat(toolNames(client)).contains("calculator", "add_memory");

                McpSchema.CallToolResult refused = call(client, "add_memory", Map.of("content", "x"));
                McpSchema.CallToolResult calculator = call(client, "calculator", Map.of("expression", "1+1"));

                assertThat(refused.isError()).isTrue();
                assertThat(structured(refused).get("errorType")).isEqualTo("authorization");
                assertThat(calculator.isError()).isTrue();
                assertThat(structured(calculator).get("errorType")).isEqualTo("authorization");
                assertThat(RECEIVED).doesNotContainKey("/memory/api/v1/memories");
            }
        }
    }

    @Test
    void withoutAValidTokenTheEndpointAnswers401() {
        Response raw = send(
                "POST",
                "/mcp",
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}}");
        assertProblem(raw, 401, "authentication");
        assertProblem(get("/mcp", jwts.foreign().user(UUID.randomUUID())), 401, "authentication");

        try (McpSyncClient client = mcpClient(null)) {
            assertThatThrownBy(client::initialize)
                    .hasRootCauseInstanceOf(McpHttpClientTransportAuthorizationException.class);
        }
    }

    @Test
    void eachCallRunsAsTheUserOfItsTokenAndIsLogged() {
        UUID aliceId = UUID.randomUUID();
        UUID bobId = UUID.randomUUID();
        String alice = jwts.user(aliceId);
        String bob = jwts.user(bobId);
        try (McpSyncClient asAlice = mcpClient(alice);
                McpSyncClient asBob = mcpClient(bob)) {
            asAlice.initialize();
            asBob.initialize();

            assertThat(call(asAlice, "calculator", Map.of("expression", "40+2")).isError())
                    .isFalse();
            assertThat(call(asBob, "current_time", Map.of("timezone", "Europe/Paris"))
                            .isError())
                    .isFalse();
            McpSchema.CallToolResult stored = call(asAlice, "add_memory", Map.of("content", "alice likes tea"));
            assertThat(stored.isError()).as(stored.toString()).isFalse();
            // the memory tool acted as Alice: her own token was relayed to memory-service
            assertThat(RECEIVED.get("/memory/api/v1/memories").headers().firstValue("Authorization"))
                    .contains("Bearer " + alice);
        }

        JsonNode aliceLog = get("/api/v1/tools/executions", alice).json().get("items");
        assertThat(aliceLog.valueStream().map(e -> e.get("tool").asString()))
                .containsExactly("add_memory", "calculator");
        assertThat(aliceLog.get(1).get("userId").asString()).isEqualTo(aliceId.toString());
        assertThat(aliceLog.get(1).get("parameters").get("expression").asString())
                .isEqualTo("40+2");
        JsonNode bobLog = get("/api/v1/tools/executions", bob).json().get("items");
        assertThat(bobLog.valueStream().map(e -> e.get("tool").asString())).containsExactly("current_time");
    }

    private Response mcpPost(String token, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/mcp"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        try {
            HttpResponse<String> response =
                    HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aSessionBelongsToTheUserWhoOpenedIt() {
        String alice = newUser();
        Response init = mcpPost(
                alice,
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
        assertThat(init.status()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(mcpPost(alice, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                        .status())
                .isEqualTo(202);
        String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

        assertProblem(mcpPost(newUser(), session, list), 404, "not_found");
        Response own = mcpPost(alice, session, list);
        assertThat(own.status()).as(own.body()).isEqualTo(200);
        assertThat(own.body()).contains("calculator");
    }

    @Test
    void theToolListFollowsTheRegistry() {
        String admin = newAdmin();
        String name = "mcp_follow_" + UUID.randomUUID().toString().substring(0, 8);
        List<List<McpSchema.Tool>> announced = new CopyOnWriteArrayList<>();
        try (McpSyncClient client = mcpClient(newUser(), announced::add)) {
            client.initialize();
            assertThat(toolNames(client)).doesNotContain(name);

            Response registered = post(
                    "/api/v1/tools",
                    admin,
                    Map.of(
                            "name",
                            name,
                            "description",
                            "echoes",
                            "parameters",
                            Map.of("type", "object"),
                            "endpoint",
                            stubUrl("localhost") + "/echo",
                            "write",
                            false));
            assertThat(registered.status()).as(registered.body()).isEqualTo(201);

            assertThat(toolNames(client)).contains(name);
            // the server announced the change (notifications/tools/list_changed; the client then re-lists)
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> announced.stream()
                            .anyMatch(
                                    list -> list.stream().anyMatch(t -> t.name().equals(name))));
            McpSchema.CallToolResult echoed = call(client, name, Map.of("city", "Oslo"));
            assertThat(echoed.isError()).as(echoed.toString()).isFalse();

            assertThat(delete("/api/v1/tools/" + name, admin).status()).isEqualTo(204);
            assertThat(toolNames(client)).doesNotContain(name);
            assertThatThrownBy(() -> call(client, name, Map.of()))
                    .isInstanceOf(McpError.class)
                    .hasMessageContaining("Unknown tool");
        }
    }
}
