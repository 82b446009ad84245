package ai.agency.tool.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.tool.ToolApiTest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * MCP sessions fail closed: a request on a session whose owner this instance does not know — the
 * owner was forgotten (idle, or past the size bound) while the MCP transport still holds the session — is refused
 * like another user's session, not served.
 */
class McpSessionOwnersTest extends ToolApiTest {

    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}";
    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";

    @Autowired
    private McpSessionOwners owners;

    private record Answer(int status, HttpHeaders headers, String body) {}

    private Answer mcpPost(String token, String session, String body) {
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
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void anMcpSessionOfAnUnknownOwnerIsRefused() {
        String alice = newUser();
        Answer init = mcpPost(alice, null, INITIALIZE);
        assertThat(init.status()).as(init.body()).isEqualTo(200);
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(mcpPost(alice, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}")
                        .status())
                .isEqualTo(202);
        assertThat(mcpPost(alice, session, LIST).status()).isEqualTo(200);

        owners.forget(session); // the transport still has the session; its owner is no longer known

        Answer mallory = mcpPost(newUser(), session, LIST);
        assertThat(mallory.status()).as(mallory.body()).isEqualTo(404);
        assertThat(JSON.readTree(mallory.body()).get("errorType").asString()).isEqualTo("not_found");
        assertThat(mallory.body()).doesNotContain("calculator");
        Answer owner = mcpPost(alice, session, LIST);
        assertThat(owner.status())
                .as("not even its opener is served on a session nobody can vouch for")
                .isEqualTo(404);

        // a new session works as before
        Answer again = mcpPost(alice, null, INITIALIZE);
        assertThat(again.status()).isEqualTo(200);
        String fresh = again.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(fresh).isNotEqualTo(session);
        mcpPost(alice, fresh, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        Answer listed = mcpPost(alice, fresh, LIST);
        assertThat(listed.status()).as(listed.body()).isEqualTo(200);
        assertThat(listed.body()).contains("calculator");
    }
}
