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
import org.springframework.test.context.TestPropertySource;

/**
 * 200 chat users asking "what is 17*23" got 1,544 calculator calls {@code rejected} against 1,889 served,
 * because a tool's bulkhead refused at once: a sub-millisecond tool was refused merely because many users called it
 * in the same second. Now a call waits up to {@code bulkhead-max-wait} for a slot, and past it gets 429 with
 * {@code Retry-After} (a healthy tool shedding load), not a 503. A bulkhead of 2 slots and a 1 s wait here.
 */
@TestPropertySource(properties = {"agency.tool.max-concurrent-calls=2", "agency.tool.bulkhead-max-wait=1s"})
class ToolBulkheadTest extends ToolApiTest {

    private static final int SLOTS = 2;

    @Test
    void aBurstOfCallsToAFastToolWaitsForTheBulkheadInsteadOfBeingRefused() throws Exception {
        // a tool whose calls overlap for certain: the first two hold the bulkhead until the test releases them
        String key = UUID.randomUUID().toString();
        CountDownLatch release = new CountDownLatch(1);
        HELD_GATES.put(key, release);
        String tool = heldTool(key);
        List<String> users = new ArrayList<>();
        for (int i = 0; i < 3 * SLOTS; i++) {
            users.add(newUser());
        }
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Response>> calls = new ArrayList<>();
            try {
                for (String user : users) {
                    calls.add(CompletableFuture.supplyAsync(() -> execute(user, tool, Map.of()), callers));
                }
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> HELD_ARRIVALS.containsKey(key)
                                && HELD_ARRIVALS.get(key).get() == SLOTS);
                Thread.sleep(200); // the other four are waiting for a slot now
                assertThat(calls).noneMatch(CompletableFuture::isDone);
            } finally {
                release.countDown(); // the held calls answer; the waiting four take their slots
            }
            for (CompletableFuture<Response> call : calls) {
                Response served = call.get();
                assertThat(served.status()).as(served.body()).isEqualTo(200);
                assertSucceeded(served.json());
            }
            assertThat(HELD_ARRIVALS.get(key).get()).isEqualTo(3 * SLOTS);

            // the case as seen: a burst of calculator calls from many users at once, 3 × the bulkhead, 3 rounds
            for (int round = 0; round < 3; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<Response>> burst = new ArrayList<>();
                for (int i = 0; i < 3 * SLOTS * 4; i++) {
                    String user = users.get(i % users.size());
                    burst.add(CompletableFuture.supplyAsync(
                            () -> {
                                awaitLatch(go);
                                return execute(user, "calculator", Map.of("expression", "17*23"));
                            },
                            callers));
                }
                go.countDown();
                for (CompletableFuture<Response> call : burst) {
                    Response served = call.get();
                    assertThat(served.status()).as(served.body()).isEqualTo(200);
                    assertThat(assertSucceeded(served.json()).get("result").asDouble())
                            .isEqualTo(391.0);
                }
            }
        }
    }

    @Test
    void aCallThatFindsNoSlotWithinTheWaitIsRefusedWith429AndRetryAfter() throws Exception {
        String key = UUID.randomUUID().toString();
        CountDownLatch release = new CountDownLatch(1);
        HELD_GATES.put(key, release);
        String tool = heldTool(key);
        String alice = newUser();
        String bob = newUser();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Response>> held = new ArrayList<>();
            try {
                for (int i = 0; i < SLOTS; i++) {
                    held.add(CompletableFuture.supplyAsync(() -> execute(alice, tool, Map.of()), callers));
                }
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> HELD_ARRIVALS.containsKey(key)
                                && HELD_ARRIVALS.get(key).get() == SLOTS);

                long start = System.nanoTime();
                Response refused = execute(bob, tool, Map.of());
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertThat(refused.status()).as(refused.body()).isEqualTo(429);
                assertThat(refused.headers().firstValue("Content-Type"))
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(refused.json().get("errorType").asString()).isEqualTo("rate_limit");
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(waitedMs).as("it waited for a slot first").isGreaterThanOrEqualTo(900);

                // over MCP: an isError result saying rate_limit
                try (McpSyncClient mcp = mcpClient(bob)) {
                    mcp.initialize();
                    McpSchema.CallToolResult result = mcp.callTool(new McpSchema.CallToolRequest(tool, Map.of()));
                    assertThat(result.isError()).isTrue();
                    assertThat(((Map<?, ?>) result.structuredContent()).get("errorType"))
                            .isEqualTo("rate_limit");
                }
                // the refusals are in bob's execution log as rejected
                Response log = get("/api/v1/tools/executions?tool=" + tool, bob);
                assertThat(log.status()).as(log.body()).isEqualTo(200);
                assertThat(log.json().get("items").findValuesAsString("outcome"))
                        .isNotEmpty()
                        .allMatch("rejected"::equals);
            } finally {
                release.countDown();
            }
            for (CompletableFuture<Response> call : held) {
                assertThat(call.get().status()).isEqualTo(200);
            }
        }
        // slots free again: served at once
        Response served = execute(bob, tool, Map.of());
        assertThat(served.status()).as(served.body()).isEqualTo(200);
    }

    private String heldTool(String key) {
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
        return tool;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
