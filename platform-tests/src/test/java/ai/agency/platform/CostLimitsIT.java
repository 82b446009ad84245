package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.platform.Api.Reply;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cost amplification through the real jars, with the default settings: the gateway's rate limits
 * cover tool-service's MCP server as they cover the REST API, and a channel cannot be made big enough for one post
 * to start more than 19 agent turns.
 */
class CostLimitsIT {

    private static final String LIST = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{}}";

    private static RunningPlatform platform;

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
    }

    @Test
    void mcpIsRateLimitedAtTheGateway() throws Exception {
        String token = Api.newUserToken(platform.gateway());

        Reply first = mcp(token);
        assertThat(first.status()).as(first.body()).isNotEqualTo(429);
        assertThat(first.response().headers().firstValue("RateLimit-Limit")).hasValue("600");
        assertThat(first.response().headers().firstValue("RateLimit-Policy")).hasValue("600;w=60");

        // the user's budget for the tool route is 600 a minute: spend it, a few dozen at a time
        Reply refused = null;
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int round = 0; round < 30 && refused == null; round++) {
                List<Future<Reply>> replies = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    replies.add(callers.submit(() -> mcp(token)));
                }
                for (Future<Reply> reply : replies) {
                    if (reply.get().status() == 429) {
                        refused = reply.get();
                    }
                }
            }
        }
        assertThat(refused).as("a 429 within 750 requests").isNotNull();
        Api.assertProblem(refused, 429, "rate_limit");
        assertThat(refused.response().headers().firstValue("Retry-After")).isPresent();
        // another user is not affected
        assertThat(mcp(Api.newUserToken(platform.gateway())).status()).isNotEqualTo(429);
    }

    @Test
    void aChannelWithTwentyOneParticipantsIsRefused() {
        String token = Api.newUserToken(platform.gateway());
        List<String> agents = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            Reply agent = Api.send(
                    platform.gateway(),
                    "POST",
                    "/api/v1/agents",
                    token,
                    "{\"name\":\"Agent " + i + "\"}",
                    "application/json");
            assertThat(agent.status()).as(agent.body()).isEqualTo(201);
            agents.add("\"" + agent.json().get("id").asString() + "\"");
        }

        Reply crowd = channel(token, agents);

        Api.assertProblem(crowd, 400, "validation");
        assertThat(crowd.json().get("errors").get(0).get("field").asString()).isEqualTo("participants");
        assertThat(channel(token, agents.subList(0, 20)).status()).isEqualTo(201);
    }

    private static Reply channel(String token, List<String> participants) {
        return Api.send(
                platform.gateway(),
                "POST",
                "/api/v1/channels",
                token,
                "{\"name\":\"crowd\",\"participants\":[" + String.join(",", participants) + "]}",
                "application/json");
    }

    private static Reply mcp(String token) {
        return Api.exchange(HttpRequest.newBuilder(platform.gateway().resolve("/mcp"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(LIST))
                .build());
    }
}
