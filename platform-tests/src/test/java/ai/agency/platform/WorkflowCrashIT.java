package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.platform.Api.Reply;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The orchestration-crash chaos scenario in the normal suite (the long one is {@code load-tests/chaos/kill_orchestration}):
 * orchestration-service is killed with SIGKILL while fan-out runs with tool steps are in flight and others wait at an
 * approval; after its restart every run finishes, and every tool step's effect — counted by the HTTP server its tool
 * calls — happened exactly once, because the re-run of a step that was cut off carries the same idempotency key.
 */
class WorkflowCrashIT {

    private static final int RUNS = 4;
    private static final int FANOUT = 4;

    private static RunningPlatform platform;
    private static HttpServer counter;
    /** Executions of the counting tool by marker, and the calls being answered. */
    private static final Map<String, AtomicInteger> EFFECTS = new ConcurrentHashMap<>();

    private static final Set<String> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void start() throws IOException {
        platform = RunningPlatform.get();
        counter =
                HttpServer.create(new InetSocketAddress(InetAddress.getByName(RunningPlatform.TEST_TOOL_HOST), 0), 50);
        counter.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        counter.createContext("/effect", WorkflowCrashIT::effect);
        counter.start();
    }

    @AfterAll
    static void stop() {
        counter.stop(0);
    }

    private static void effect(HttpExchange exchange) throws IOException {
        JsonNode body = Api.JSON.readTree(exchange.getRequestBody().readAllBytes());
        String marker = body.path("marker").asString();
        int n = EFFECTS.computeIfAbsent(marker, m -> new AtomicInteger()).incrementAndGet();
        IN_FLIGHT.add(marker);
        try {
            Thread.sleep(body.path("delayMs").asInt(0));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        IN_FLIGHT.remove(marker);
        byte[] answer = ("{\"marker\":\"" + marker + "\",\"effect\":" + n + "}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, answer.length);
        exchange.getResponseBody().write(answer);
        exchange.close();
    }

    @Test
    void aCrashMidWorkflowLosesNoRunAndNoToolEffectHappensTwice() {
        // before: every step cut off by the kill ran its tool again (33 of 200 effects twice in the chaos run)
        URI gateway = platform.gateway();
        String admin = Api.login(gateway, "admin", platform.adminPassword);
        String tool =
                "crash_effect_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        Reply registered = post(
                admin,
                "/api/v1/tools",
                Map.of(
                        "name",
                        tool,
                        "description",
                        "counts its executions",
                        "parameters",
                        Map.of(
                                "type",
                                "object",
                                "properties",
                                Map.of("marker", Map.of("type", "string"), "delayMs", Map.of("type", "integer"))),
                        "endpoint",
                        "http://" + RunningPlatform.TEST_TOOL_HOST + ":"
                                + counter.getAddress().getPort() + "/effect",
                        "timeoutMs",
                        20000));
        assertThat(registered.status()).as(registered.body()).isEqualTo(201);

        String user = Api.newUserToken(gateway);
        String workflow = workflow(user, tool);
        List<String> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            Reply started = post(
                    user,
                    "/api/v1/workflows/" + workflow + "/runs",
                    Map.of("input", Map.of("tag", "r" + i + "-" + UUID.randomUUID(), "delayMs", 1500)));
            assertThat(started.status()).as(started.body()).isEqualTo(202);
            runs.add(started.json().get("runId").asString());
        }
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> !IN_FLIGHT.isEmpty());
        int inFlight = IN_FLIGHT.size();

        platform.killService("orchestration-service");
        platform.restartService("orchestration-service");

        Set<String> approved = new HashSet<>();
        Map<String, JsonNode> ended = new HashMap<>();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    for (String run : runs) {
                        if (ended.containsKey(run)) {
                            continue;
                        }
                        Reply read = Api.send(gateway, "GET", "/api/v1/runs/" + run, user, null, null);
                        if (read.status() != 200) {
                            continue;
                        }
                        String status = read.json().get("status").asString();
                        if (Set.of("succeeded", "failed", "cancelled").contains(status)) {
                            ended.put(run, read.json());
                        } else if ("waiting_approval".equals(status) && approved.add(run)) {
                            assertThat(post(
                                                    user,
                                                    "/api/v1/runs/" + run + "/steps/ok/approval",
                                                    Map.of("approved", true))
                                            .status())
                                    .isEqualTo(200);
                        }
                    }
                    return ended.size() == runs.size();
                });

        assertThat(inFlight).isPositive();
        for (JsonNode run : ended.values()) {
            assertThat(run.get("status").asString()).as(run.toString()).isEqualTo("succeeded");
            String tag = run.get("input").get("tag").asString();
            for (int i = 0; i < FANOUT; i++) {
                assertThat(EFFECTS.get(tag + ":e" + i)).as(tag + ":e" + i).hasValue(1);
            }
            assertThat(EFFECTS.get(tag + ":after")).as(tag + ":after").hasValue(1);
            assertNoCompletedStepStartedAgain(run.get("id").asString(), user);
        }
        assertThat(replays())
                .as("tool-service answered the cut-off steps' re-runs")
                .isPositive();
    }

    private String workflow(String user, String tool) {
        List<Map<String, Object>> steps = new ArrayList<>();
        List<String> fan = new ArrayList<>();
        for (int i = 0; i < FANOUT; i++) {
            fan.add("e" + i);
            steps.add(Map.of(
                    "id",
                    "e" + i,
                    "type",
                    "tool",
                    "retry",
                    Map.of("maxAttempts", 5, "backoffMs", 500),
                    "input",
                    Map.of(
                            "tool",
                            tool,
                            "parameters",
                            Map.of("marker", "{{input.tag}}:e" + i, "delayMs", "{{input.delayMs}}"))));
        }
        steps.add(Map.of("id", "ok", "type", "approval", "dependsOn", fan));
        steps.add(Map.of(
                "id",
                "after",
                "type",
                "tool",
                "dependsOn",
                List.of("ok"),
                "input",
                Map.of("tool", tool, "parameters", Map.of("marker", "{{input.tag}}:after", "delayMs", 0))));
        Reply created = post(user, "/api/v1/workflows", Map.of("name", "crash", "steps", steps));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    /** From the run's stored events: no step started after it succeeded, none started again more than once. */
    private void assertNoCompletedStepStartedAgain(String runId, String user) {
        HttpResponse<String> stream = Api.exchange(
                        HttpRequest.newBuilder(platform.gateway().resolve("/api/v1/runs/" + runId + "/events"))
                                .header("Authorization", "Bearer " + user)
                                .header("Accept", "text/event-stream")
                                .timeout(Duration.ofSeconds(30))
                                .build())
                .response();
        Map<String, Integer> startsAgain = new HashMap<>();
        Set<String> open = new HashSet<>();
        Set<String> succeeded = new HashSet<>();
        String event = null;
        for (String line : stream.body().split("\n")) {
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:") && event != null) {
                String step =
                        Api.JSON.readTree(line.substring(5)).path("stepId").asString("");
                if (event.equals("step.started")) {
                    assertThat(succeeded)
                            .as("step " + step + " started after it succeeded")
                            .doesNotContain(step);
                    if (!open.add(step)) {
                        startsAgain.merge(step, 1, Integer::sum);
                    }
                } else if (event.equals("step.succeeded")) {
                    open.remove(step);
                    succeeded.add(step);
                } else if (event.startsWith("step.")) {
                    open.remove(step);
                }
                event = null;
            }
        }
        assertThat(startsAgain.values()).as("steps started again").allMatch(n -> n == 1);
    }

    private long replays() {
        Reply metrics = Api.exchange(
                HttpRequest.newBuilder(URI.create(platform.management("tool-service") + "/actuator/prometheus"))
                        .build());
        return metrics.body()
                .lines()
                .filter(l -> l.startsWith("agency_tool_idempotency_total") && l.contains("outcome=\"replayed\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    private Reply post(String token, String path, Object body) {
        return Api.send(platform.gateway(), "POST", path, token, Api.JSON.writeValueAsString(body), "application/json");
    }
}
