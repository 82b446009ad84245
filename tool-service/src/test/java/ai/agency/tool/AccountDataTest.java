package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.TestHttp.Response;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * tool-service's side of a user's export and erasure (/internal/account-data, auth-service's jobs): the HTTP tools and
 * MCP servers an admin registered (never their sealed headers or signing secret), executions, Idempotency-Keys with
 * their stored results, usage rows. Erasure leaves no copy of the user's texts in any table of the schema and nothing
 * of anyone else's; no other token reaches the endpoints.
 */
class AccountDataTest extends ToolApiTest {

    @Autowired
    JdbcClient jdbc;

    private String dataToken(UUID user) {
        return jwts.withScopes(user, List.of("user"), List.of("account_data"));
    }

    /** What a seeded user has: their tool's and server's names and the secrets that must never be exported. */
    private record Seeded(String tool, String server, List<String> secrets) {}

    /** An admin with an HTTP tool, an MCP server, an execution under an Idempotency-Key and a usage row. */
    private Seeded seed(UUID user, String marker, FakeMcpServer fake) {
        String admin = jwts.admin(user);
        String tool = "acct_" + marker;
        Response registered = post(
                "/api/v1/tools",
                admin,
                Map.of(
                        "name",
                        tool,
                        "description",
                        "weather of " + marker,
                        "parameters",
                        Map.of("type", "object"),
                        "endpoint",
                        stubUrl("localhost") + "/echo",
                        "headers",
                        Map.of("X-Api-Key", "header-secret-" + marker)));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String signingSecret = registered.json().get("signingSecret").asString();
        String server = "srv" + marker;
        Response mcp = post(
                "/api/v1/tools/mcp-servers",
                admin,
                Map.of("name", server, "url", fake.url(), "headers", Map.of("X-Api-Key", "mcp-secret-" + marker)));
        assertThat(mcp.status()).as(mcp.body()).isEqualTo(201);
        Response executed = send(
                "POST",
                "/api/v1/tools/" + tool + "/execute",
                admin,
                JSON.writeValueAsString(Map.of("parameters", Map.of("city", "city-" + marker))),
                Map.of("Idempotency-Key", "key-" + marker));
        assertThat(executed.status()).as(executed.body()).isEqualTo(200);
        assertSucceeded(executed.json());
        jdbc.sql("INSERT INTO tool.usage_outbox (id, user_id, at, kind, subject) VALUES (:id, :u, now(), 'x', :s)")
                .param("id", UUID.randomUUID())
                .param("u", user)
                .param("s", "usage-" + marker)
                .update();
        return new Seeded(tool, server, List.of(signingSecret, "header-secret-" + marker, "mcp-secret-" + marker));
    }

    private List<JsonNode> export(UUID user, String kind) {
        Response response = get("/internal/account-data/export/" + kind, dataToken(user));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/x-ndjson");
        return response.body().lines().map(JSON::readTree).toList();
    }

    @Test
    void exportsEveryKindOfItsUserWithoutSecretsAndErasureLeavesNoTextOfTheirs() {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        String aliceMarker = "alice" + UUID.randomUUID().toString().substring(0, 8);
        String bobMarker = "bob" + UUID.randomUUID().toString().substring(0, 8);
        Seeded alices;
        Seeded bobs;
        try (FakeMcpServer fake = FakeMcpServer.start()) {
            alices = seed(alice, aliceMarker, fake);
            bobs = seed(bob, bobMarker, fake);
        }

        Response kinds = get("/internal/account-data/kinds", dataToken(alice));
        assertThat(kinds.status()).as(kinds.body()).isEqualTo(200);
        assertThat(kinds.json().get("kinds").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder(
                        "tools", "mcp_servers", "tool_executions", "tool_idempotency_keys", "usage_outbox");

        List<JsonNode> tools = export(alice, "tools");
        assertThat(tools).hasSize(1);
        assertThat(tools.getFirst().get("name").asString()).isEqualTo(alices.tool());
        assertThat(tools.getFirst().get("description").asString()).contains(aliceMarker);
        assertThat(tools.getFirst().get("headerNames").toString()).isEqualTo("[\"X-Api-Key\"]");
        List<JsonNode> servers = export(alice, "mcp_servers");
        assertThat(servers).hasSize(1);
        assertThat(servers.getFirst().get("name").asString()).isEqualTo(alices.server());
        assertThat(servers.getFirst().get("tools").toString()).contains(alices.server() + "__get_weather");
        List<JsonNode> executions = export(alice, "tool_executions");
        assertThat(executions).hasSize(1);
        assertThat(executions.getFirst().get("tool").asString()).isEqualTo(alices.tool());
        assertThat(executions.getFirst().get("parameters").get("city").asString())
                .isEqualTo("city-" + aliceMarker);
        List<JsonNode> keys = export(alice, "tool_idempotency_keys");
        assertThat(keys).hasSize(1);
        assertThat(keys.getFirst().get("key").asString()).isEqualTo("key-" + aliceMarker);
        assertThat(keys.getFirst().get("result").get("data").get("received").toString())
                .as("the stored result, unsealed")
                .contains("city-" + aliceMarker);
        List<JsonNode> usage = export(alice, "usage_outbox"); // the relay may have delivered the row already
        // rows the service wrote itself (tool_call, memory_added, ...) stay until the relay delivers them, as may 'x'
        assertThat(usage.stream().filter(u -> u.get("kind").asString().equals("x")))
                .allSatisfy(u -> assertThat(u.get("subject").asString()).isEqualTo("usage-" + aliceMarker));
        String everything = tools.toString() + servers + executions + keys + usage;
        assertThat(everything).doesNotContain(bobMarker).doesNotContain("fingerprint");
        for (String secret : alices.secrets()) {
            assertThat(everything).doesNotContain(secret);
        }

        Response erased = delete("/internal/account-data", dataToken(alice));
        assertThat(erased.status()).as(erased.body()).isEqualTo(200);
        JsonNode rows = erased.json().get("erased");
        assertThat(rows.get("tools").asLong()).isEqualTo(1);
        assertThat(rows.get("mcp_servers").asLong()).isEqualTo(1);
        assertThat(rows.get("tool_executions").asLong()).isEqualTo(1);
        assertThat(rows.get("tool_idempotency_keys").asLong()).isEqualTo(1);
        Response again = delete("/internal/account-data", dataToken(alice));
        assertThat(again.status()).as("erasing twice is harmless").isEqualTo(200);
        again.json().get("erased").forEach(n -> assertThat(n.asLong()).isZero());

        assertThat(tablesHolding(aliceMarker))
                .as("tables still holding alice's texts")
                .isEmpty();
        assertThat(jdbc.sql("SELECT count(*) FROM tool.usage_outbox WHERE user_id = :u")
                        .param("u", alice)
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(tablesHolding(bobMarker)).containsKeys("tools", "mcp_servers", "executions", "idempotency_keys");
        assertProblem(get("/api/v1/tools/" + alices.tool(), newUser()), 404, "not_found");
        assertProblem(get("/api/v1/tools/" + alices.server() + "__get_weather", newUser()), 404, "not_found");
        assertThat(get("/api/v1/tools/" + bobs.tool(), newUser()).status()).isEqualTo(200);
        assertThat(get("/api/v1/tools/mcp-servers/" + bobs.server(), newAdmin()).status())
                .isEqualTo(200);
        assertThat(get("/api/v1/tools/executions", jwts.user(bob)).body()).contains("city-" + bobMarker);
    }

    @Test
    void noOtherTokenExportsOrErases() {
        UUID carol = UUID.randomUUID();
        String marker = "carol" + UUID.randomUUID().toString().substring(0, 8);
        try (FakeMcpServer fake = FakeMcpServer.start()) {
            seed(carol, marker, fake);
        }
        for (String token : Arrays.asList(jwts.user(carol), jwts.admin(carol), newAdmin(), null)) {
            int expected = token == null ? 401 : 403;
            String type = token == null ? "authentication" : "authorization";
            assertProblem(get("/internal/account-data/kinds", token), expected, type);
            assertProblem(get("/internal/account-data/export/tool_executions", token), expected, type);
            assertProblem(delete("/internal/account-data", token), expected, type);
        }
        assertThat(tablesHolding(marker)).containsKeys("tools", "mcp_servers", "executions", "idempotency_keys");
        // the job's token reaches nothing else of the user's
        assertThat(get("/api/v1/tools/executions", dataToken(carol)).status()).isEqualTo(403);
        assertThat(delete("/api/v1/tools/acct_" + marker, dataToken(carol)).status())
                .isEqualTo(403);
        assertThat(tablesHolding(marker)).containsKeys("tools", "mcp_servers", "executions", "idempotency_keys");
    }

    /** The tables of tool-service's schema with rows whose text holds {@code marker}, and how many. */
    private Map<String, Long> tablesHolding(String marker) {
        Map<String, Long> found = new LinkedHashMap<>();
        for (String table : jdbc.sql("SELECT table_name FROM information_schema.tables "
                        + "WHERE table_schema = 'tool' AND table_type = 'BASE TABLE' ORDER BY table_name")
                .query(String.class)
                .list()) {
            long rows = jdbc.sql("SELECT count(*) FROM tool.\"" + table + "\" t WHERE t::text LIKE '%' || :m || '%'")
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
