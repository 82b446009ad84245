package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Cost amplification through tools: a tool's bulkhead (16 calls) is shared by every user, so one
 * user's slow calls used to fill it and every other user got {@code resource_exhausted}. Now a user has at most 8
 * calls running at once over all tools ({@code agency.tool.concurrency}), more wait 2 s and are refused with 429.
 */
class ToolConcurrencyTest extends ToolApiTest {

    @Test
    void oneUserHoldingEightToolCallsDoesNotStarveAnother() throws Exception {
        String key = UUID.randomUUID().toString();
        CountDownLatch release = new CountDownLatch(1);
        HELD_GATES.put(key, release);
        String tool = "held_" + key.substring(0, 8);
        Response registered = post(
                "/api/v1/tools",
                newAdmin(),
                Map.of(
                        "name",
                        tool,
                        "description",
                        "answers when the test releases it",
                        "parameters",
                        Map.of("type", "object"),
                        "endpoint",
                        stubUrl("localhost") + "/held/" + key,
                        "timeoutMs",
                        60_000));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);
        String alice = newUser();
        List<CompletableFuture<Response>> alices = new ArrayList<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                // alice fires as many calls as the tool's bulkhead holds
                for (int i = 0; i < 16; i++) {
                    alices.add(CompletableFuture.supplyAsync(() -> execute(alice, tool, Map.of()), callers));
                }
                // eight run; the other eight are refused after their wait, while the eight still hang
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> alices.stream()
                                        .filter(CompletableFuture::isDone)
                                        .count()
                                == 8);
                assertThat(HELD_ARRIVALS.get(key).get()).isEqualTo(8);
                for (CompletableFuture<Response> call : alices) {
                    if (call.isDone()) {
                        Response refused = call.get();
                        assertThat(refused.status()).as(refused.body()).isEqualTo(429);
                        assertThat(refused.json().get("errorType").asString()).isEqualTo("rate_limit");
                        assertThat(refused.headers().firstValue("Retry-After")).hasValue("2");
                    }
                }
                // over MCP the same slots count
                try (McpSyncClient mcp = mcpClient(alice)) {
                    mcp.initialize();
                    McpSchema.CallToolResult refused =
                            mcp.callTool(new McpSchema.CallToolRequest("calculator", Map.of("expression", "1+1")));
                    assertThat(refused.isError()).isTrue();
                    assertThat(((Map<?, ?>) refused.structuredContent()).get("errorType"))
                            .isEqualTo("rate_limit");
                }

                // bob is served: his call reaches the same tool while alice's eight hang
                String bob = newUser();
                CompletableFuture<Response> bobs =
                        CompletableFuture.supplyAsync(() -> execute(bob, tool, Map.of()), callers);
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> HELD_ARRIVALS.get(key).get() == 9);
                JsonNode bobsCalculation = executeOk(bob, "calculator", Map.of("expression", "6*7"));
                assertThat(assertSucceeded(bobsCalculation).get("result").asDouble())
                        .isEqualTo(42.0);

                release.countDown();
                Response served = bobs.get();
                assertThat(served.status()).as(served.body()).isEqualTo(200);
                assertThat(assertSucceeded(served.json()).get("released").asBoolean())
                        .isTrue();
            } finally {
                release.countDown();
            }
            long succeeded = 0;
            for (CompletableFuture<Response> call : alices) {
                if (call.get().status() == 200) {
                    assertSucceeded(call.get().json());
                    succeeded++;
                }
            }
            assertThat(succeeded).isEqualTo(8);
        }
        // her slots are free again
        assertSucceeded(executeOk(alice, "calculator", Map.of("expression", "1+1")));
    }
}
