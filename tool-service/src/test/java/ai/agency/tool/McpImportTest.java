package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.tool.external.ExternalMcpServers;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** External MCP servers: their tools imported (source mcp) and executed through a real MCP server. */
class McpImportTest extends ToolApiTest {

    @Autowired
    private ExternalMcpServers externalServers;

    private static String unique() {
        return "fake" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    private Response registerServer(String admin, String name, String url, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "url", url));
        body.putAll(extra);
        return post("/api/v1/tools/mcp-servers", admin, body);
    }

    private List<String> toolNames(String token) {
        return get("/api/v1/tools", token)
                .json()
                .get("items")
                .valueStream()
                .map(t -> t.get("name").asString())
                .toList();
    }

    @Test
    void anMcpServerThatRebindsToLoopbackAfterTheCheckIsNotReached() {
        String admin = newAdmin();
        String server = unique();
        String host = server + ".example.net";
        try (FakeMcpServer fake = FakeMcpServer.start()) {
            // public to the check at registration and to the one before connecting, then 127.0.0.1 (the fake)
            RebindingDns.rebind(host, HttpGetSsrfTest.PUBLIC, 2);

            Response registered = registerServer(
                    admin, server, "http://" + host + ":" + fake.port() + "/mcp", Map.of("timeoutMs", 2000));

            assertThat(registered.status()).as(registered.body()).isNotEqualTo(201);
            assertThat(toolNames(newUser())).noneMatch(name -> name.startsWith(server));
            assertThat(RebindingDns.lookups(host)).isEqualTo(2);
        } finally {
            delete("/api/v1/tools/mcp-servers/" + server, admin);
        }
    }

    @Test
    void importsTheToolsOfAnMcpServerAndRunsThemThroughIt() {
        String admin = newAdmin();
        String server = unique();
        try (FakeMcpServer fake = FakeMcpServer.start()) {
            Response registered = registerServer(
                    admin, server, fake.url(), Map.of("headers", Map.of("X-Api-Key", "k-secret-1"), "timeoutMs", 5000));

            assertThat(registered.status()).as(registered.body()).isEqualTo(201);
            assertThat(registered.body()).doesNotContain("k-secret-1");
            JsonNode view = registered.json();
            assertThat(view.get("headerNames").get(0).asString()).isEqualTo("X-Api-Key");
            assertThat(view.get("tools").valueStream().map(JsonNode::asString))
                    .containsExactlyInAnyOrder(
                            server + "__get_weather", server + "__add_note", server + "__hang", server + "__fail");
            String weather = server + "__get_weather";
            JsonNode tool = get("/api/v1/tools/" + weather, newUser()).json();
            assertThat(tool.get("source").asString()).isEqualTo("mcp");
            assertThat(tool.get("write").asBoolean()).isFalse(); // readOnlyHint
            assertThat(tool.get("parameters").get("required").get(0).asString()).isEqualTo("city");
            assertThat(get("/api/v1/tools/" + server + "__add_note", newUser())
                            .json()
                            .get("write")
                            .asBoolean())
                    .isTrue();

            JsonNode data = assertSucceeded(executeOk(newUser(), weather, Map.of("city", "Oslo")));
            assertThat(data.get("city").asString()).isEqualTo("Oslo");
            assertThat(data.get("tempC").asInt()).isEqualTo(21);
            assertThat(fake.apiKeys).containsExactly("k-secret-1"); // the sealed header reached the server

            JsonNode stored = assertSucceeded(executeOk(newUser(), server + "__add_note", Map.of("text", "hi")));
            assertThat(stored.get("stored").asString()).isEqualTo("hi");

            assertThat(errorFields(assertProblem(execute(newUser(), weather, Map.of()), 400, "validation")))
                    .containsExactly("parameters.city");
            assertProblem(
                    execute(jwts.viewer(UUID.randomUUID()), server + "__add_note", Map.of("text", "x")),
                    403,
                    "authorization");
            assertThat(assertFailed(executeOk(newUser(), server + "__fail", Map.of()), "internal"))
                    .contains("weather station is offline");

            // imported tools are published by our own MCP server too
            try (var client = mcpClient(newUser())) {
                client.initialize();
                McpSchema.CallToolResult viaMcp =
                        client.callTool(new McpSchema.CallToolRequest(weather, Map.of("city", "Rome")));
                assertThat(viaMcp.isError()).as(viaMcp.toString()).isFalse();
            }

            JsonNode listed = get("/api/v1/tools/mcp-servers", admin).json().get("items");
            assertThat(listed.valueStream().map(s -> s.get("name").asString())).contains(server);
            assertThat(get("/api/v1/tools/mcp-servers", admin).body()).doesNotContain("k-secret-1");
        } finally {
            delete("/api/v1/tools/mcp-servers/" + server, admin);
        }
    }

    @Test
    void aRefreshFollowsTheServersToolsAndDeletingTheServerRemovesThem() {
        String admin = newAdmin();
        String server = unique();
        try (FakeMcpServer fake = FakeMcpServer.start()) {
            assertThat(registerServer(admin, server, fake.url(), Map.of()).status())
                    .isEqualTo(201);
            fake.server.removeTool("fail");
            fake.server.addTool(McpServerFeatures.SyncToolSpecification.builder()
                    .tool(McpSchema.Tool.builder()
                            .name("echo.v2")
                            .description("Echoes")
                            .inputSchema(Map.of("type", "object"))
                            .build())
                    .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                            .addTextContent("plain words")
                            .build())
                    .build());

            Response refreshed = post("/api/v1/tools/mcp-servers/" + server + "/refresh", admin, Map.of());

            assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
            assertThat(refreshed.json().get("tools").valueStream().map(JsonNode::asString))
                    .containsExactlyInAnyOrder(
                            server + "__get_weather", server + "__add_note", server + "__hang", server + "__echo_v2");
            assertThat(toolNames(newUser())).contains(server + "__echo_v2").doesNotContain(server + "__fail");
            JsonNode text = assertSucceeded(executeOk(newUser(), server + "__echo_v2", Map.of()));
            assertThat(text.get("text").asString()).isEqualTo("plain words");

            assertProblem(delete("/api/v1/tools/" + server + "__echo_v2", admin), 409, "conflict");
            assertThat(delete("/api/v1/tools/mcp-servers/" + server, admin).status())
                    .isEqualTo(204);
            assertThat(toolNames(newUser())).noneMatch(n -> n.startsWith(server + "__"));
            assertProblem(get("/api/v1/tools/mcp-servers/" + server, admin), 404, "not_found");
        }
    }

    @Test
    void theStartUpRefreshUpdatesReachableServersAndKeepsTheToolsOfDownOnes() {
        String admin = newAdmin();
        String up = unique();
        String down = unique();
        FakeMcpServer gone = FakeMcpServer.start();
        try (FakeMcpServer fake = FakeMcpServer.start()) {
            assertThat(registerServer(admin, up, fake.url(), Map.of()).status()).isEqualTo(201);
            assertThat(registerServer(admin, down, gone.url(), Map.of()).status())
                    .isEqualTo(201);
            gone.close();
            fake.server.removeTool("add_note");

            externalServers.refreshAll(); // what runs in the background at every start

            assertThat(toolNames(newUser()))
                    .contains(up + "__get_weather", down + "__get_weather", down + "__add_note")
                    .doesNotContain(up + "__add_note");
            assertThat(get("/api/v1/tools/mcp-servers/" + down, admin)
                            .json()
                            .get("lastError")
                            .asString())
                    .contains("could not be reached");
            assertThat(get("/api/v1/tools/mcp-servers/" + up, admin).json().has("lastError"))
                    .isFalse();
        } finally {
            delete("/api/v1/tools/mcp-servers/" + up, admin);
            delete("/api/v1/tools/mcp-servers/" + down, admin);
        }
    }

    @Test
    void aHangingMcpToolTimesOutWhileOtherToolsStayFast() throws Exception {
        String admin = newAdmin();
        String server = unique();
        try (FakeMcpServer fake = FakeMcpServer.start()) {
            assertThat(registerServer(admin, server, fake.url(), Map.of("timeoutMs", 1500))
                            .status())
                    .isEqualTo(201);
            String user = newUser();

            CompletableFuture<JsonNode> hanging =
                    CompletableFuture.supplyAsync(() -> executeOk(user, server + "__hang", Map.of()));
            JsonNode fast = executeOk(user, server + "__get_weather", Map.of("city", "Oslo"));
            assertThat(assertSucceeded(fast).get("city").asString()).isEqualTo("Oslo");
            assertThat(hanging.isDone()).isFalse();

            JsonNode timedOut = hanging.get();
            assertThat(assertFailed(timedOut, "network")).contains("did not answer within 1500 ms");
            JsonNode logged = get("/api/v1/tools/executions?tool=" + server + "__hang", user)
                    .json()
                    .get("items")
                    .get(0);
            assertThat(logged.get("outcome").asString()).isEqualTo("timeout");
        } finally {
            delete("/api/v1/tools/mcp-servers/" + server, admin);
        }
    }

    @Test
    void aServerThatIsDownGivesClassifiedFailuresNeverA500() {
        String admin = newAdmin();
        String server = unique();
        FakeMcpServer fake = FakeMcpServer.start();
        String url = fake.url();
        try {
            assertThat(registerServer(admin, server, url, Map.of()).status()).isEqualTo(201);
        } finally {
            fake.close();
        }
        try {
            // connection refused: the platform's class for "try again later"
            JsonNode envelope = executeOk(newUser(), server + "__get_weather", Map.of("city", "Oslo"));
            assertThat(assertFailed(envelope, "service_unavailable")).contains("could not be reached");

            Response refresh = post("/api/v1/tools/mcp-servers/" + server + "/refresh", admin, Map.of());
            assertProblem(refresh, 503, "service_unavailable");
            JsonNode stored = get("/api/v1/tools/mcp-servers/" + server, admin).json();
            assertThat(stored.get("lastError").asString()).contains(server);
            // the imported tools stay registered while their server is down
            assertThat(toolNames(newUser())).contains(server + "__get_weather");

            // registering a server that does not answer keeps nothing
            String other = unique();
            assertProblem(registerServer(admin, other, url, Map.of()), 503, "service_unavailable");
            assertProblem(get("/api/v1/tools/mcp-servers/" + other, admin), 404, "not_found");
        } finally {
            delete("/api/v1/tools/mcp-servers/" + server, admin);
        }
    }

    @Test
    void onlyAdminsRegisterAndTheAddressRulesApply() {
        String admin = newAdmin();
        assertProblem(registerServer(newUser(), unique(), "http://localhost:1/mcp", Map.of()), 403, "authorization");
        assertProblem(get("/api/v1/tools/mcp-servers", newUser()), 403, "authorization");
        for (String url : List.of(
                "http://169.254.169.254/mcp", "http://127.0.0.1:8083/mcp", "http://[::1]/mcp", "file:///etc/passwd")) {
            assertThat(errorFields(assertProblem(registerServer(admin, unique(), url, Map.of()), 400, "validation")))
                    .as(url)
                    .containsExactly("url");
        }
        assertThat(errorFields(assertProblem(
                        registerServer(admin, "Bad_Name", "http://localhost:1/mcp", Map.of()), 400, "validation")))
                .containsExactly("name");
        assertThat(errorFields(assertProblem(
                        registerServer(
                                admin,
                                unique(),
                                "http://localhost:1/mcp",
                                Map.of("headers", Map.of("Mcp-Session-Id", "forged"))),
                        400,
                        "validation")))
                .containsExactly("headers");
    }
}
