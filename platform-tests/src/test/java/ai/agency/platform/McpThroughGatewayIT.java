package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.platform.Api.Reply;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * tool-service's MCP server through the gateway, the platform's one origin, with the MCP streamable-HTTP wire
 * protocol spoken by hand (JSON-RPC over POST, answers as JSON or as an SSE event, {@code Mcp-Session-Id}): a client
 * with a user's token initializes, lists the tools and calls the calculator; without a token it gets a 401 problem.
 */
class McpThroughGatewayIT {

    private static RunningPlatform platform;

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
    }

    @Test
    void aClientInitializesListsAndCallsToolsThroughTheGateway() {
        String token = Api.newUserToken(platform.gateway());

        Reply init = rpc(
                token,
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"platform-test\",\"version\":\"1\"}}}");
        assertThat(init.status()).as(init.body()).isEqualTo(200);
        String session = init.response()
                .headers()
                .firstValue("Mcp-Session-Id")
                .orElseThrow(() -> new AssertionError("no Mcp-Session-Id through the gateway: " + init.response()));
        assertThat(message(init).get("result").get("serverInfo").get("name").asString())
                .isNotBlank();

        Reply initialized =
                rpc(token, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"params\":{}}");
        assertThat(initialized.status()).as(initialized.body()).isBetween(200, 204);

        Reply list = rpc(token, session, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{}}");
        assertThat(list.status()).as(list.body()).isEqualTo(200);
        assertThat(message(list).get("result").get("tools").findValuesAsString("name"))
                .contains("calculator", "current_time");

        Reply call = rpc(
                token,
                session,
                "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"calculator\","
                        + "\"arguments\":{\"expression\":\"17 * 23\"}}}");
        assertThat(call.status()).as(call.body()).isEqualTo(200);
        JsonNode result = message(call).get("result");
        assertThat(result.path("isError").asBoolean(false))
                .as(result.toString())
                .isFalse();
        assertThat(result.toString()).contains("391");
    }

    @Test
    void withoutATokenTheGatewayRefusesMcpWithA401Problem() {
        Reply reply = rpc(
                null,
                null,
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}}");
        Api.assertProblem(reply, 401, "authentication");
    }

    private static Reply rpc(String token, String session, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(platform.gateway().resolve("/mcp"))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (session != null) {
            request.header("Mcp-Session-Id", session);
        }
        return Api.exchange(request.build());
    }

    /** The JSON-RPC message of an answer: the body itself, or the data of its (first) SSE event. */
    private static JsonNode message(Reply reply) {
        String body = reply.body().strip();
        if (body.startsWith("{")) {
            return Api.JSON.readTree(body);
        }
        StringBuilder data = new StringBuilder();
        for (String line : body.split("\r?\n")) {
            if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            } else if (line.isBlank() && !data.isEmpty()) {
                break;
            }
        }
        assertThat(data).as("an SSE data line in " + body).isNotEmpty();
        return Api.JSON.readTree(data.toString());
    }
}
