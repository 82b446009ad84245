package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.tool.execution.HttpToolInvoker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Admin-registered HTTP tools: signing, secret headers, timeouts, circuit breaking, roles. */
class HttpToolTest extends ToolApiTest {

    @org.springframework.beans.factory.annotation.Autowired
    io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry circuitBreakers;

    private static final Map<String, Object> OBJECT_SCHEMA = Map.of(
            "type", "object", "properties", Map.of("city", Map.of("type", "string")), "required", List.of("city"));

    private JsonNode register(String admin, String name, String path, Map<String, Object> extra) {
        Map<String, Object> body = new HashMap<>(Map.of(
                "name",
                name,
                "description",
                "test tool " + name,
                "parameters",
                OBJECT_SCHEMA,
                "endpoint",
                stubUrl("localhost") + path));
        body.putAll(extra);
        Response response = post("/api/v1/tools", admin, body);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static String unique(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    }

    @Test
    void everyCallIsSignedSoTheReceiverCanVerifyIt() {
        String admin = newAdmin();
        String name = unique("weather");
        JsonNode registered = register(admin, name, "/echo", Map.of("headers", Map.of("X-Api-Key", "s3cret-value")));
        String secret = registered.get("signingSecret").asString();
        assertThat(secret).isNotBlank();
        assertThat(registered.get("source").asString()).isEqualTo("http");

        JsonNode data = assertSucceeded(executeOk(newUser(), name, Map.of("city", "Lyon")));

        assertThat(data.get("received").get("city").asString()).isEqualTo("Lyon");
        Received received = RECEIVED.get("/echo");
        String timestamp = received.headers().firstValue("X-Agency-Timestamp").orElseThrow();
        String expected = "sha256="
                + HttpToolInvoker.sign(
                        secret.getBytes(StandardCharsets.UTF_8),
                        timestamp,
                        received.body().getBytes(StandardCharsets.UTF_8));
        assertThat(received.headers().firstValue("X-Agency-Signature")).contains(expected);
        assertThat(Math.abs(Long.parseLong(timestamp) - System.currentTimeMillis() / 1000))
                .isLessThan(300);
        assertThat(received.headers().firstValue("X-Api-Key")).contains("s3cret-value");
        assertThat(received.headers().firstValue("X-Agency-Tool")).contains(name);
    }

    @Test
    void headerValuesAndTheSecretAreNeverShownAgain() {
        String admin = newAdmin();
        String name = unique("secretive");
        register(admin, name, "/echo", Map.of("headers", Map.of("Authorization", "Bearer top-secret")));

        Response asAdmin = get("/api/v1/tools/" + name, admin);
        assertThat(asAdmin.body()).doesNotContain("top-secret").doesNotContain("signingSecret");
        assertThat(asAdmin.json().get("headerNames").get(0).asString()).isEqualTo("Authorization");
        assertThat(asAdmin.json().get("endpoint").asString()).endsWith("/echo");

        Response asUser = get("/api/v1/tools/" + name, newUser());
        assertThat(asUser.json().has("endpoint")).isFalse();
        assertThat(asUser.json().has("headerNames")).isFalse();
    }

    @Test
    void getToolsSendTheirParametersAsAQueryString() {
        String name = unique("lookup");
        register(newAdmin(), name, "/echo", Map.of("method", "GET"));

        JsonNode data = assertSucceeded(executeOk(newUser(), name, Map.of("city", "São Paulo")));

        assertThat(data.get("query").asString()).isEqualTo("city=S%C3%A3o+Paulo");
    }

    @Test
    void onlyAdminsRegisterAndDelete() {
        String name = unique("nope");
        Map<String, Object> body = Map.of(
                "name",
                name,
                "description",
                "d",
                "parameters",
                OBJECT_SCHEMA,
                "endpoint",
                stubUrl("localhost") + "/echo");
        assertProblem(post("/api/v1/tools", newUser(), body), 403, "authorization");
        assertProblem(post("/api/v1/tools", jwts.viewer(UUID.randomUUID()), body), 403, "authorization");

        register(newAdmin(), name, "/echo", Map.of());
        assertProblem(delete("/api/v1/tools/" + name, newUser()), 403, "authorization");
        assertThat(delete("/api/v1/tools/" + name, newAdmin()).status()).isEqualTo(204);
        assertProblem(get("/api/v1/tools/" + name, newUser()), 404, "not_found");
        assertProblem(delete("/api/v1/tools/calculator", newAdmin()), 409, "conflict");
    }

    @Test
    void registrationRefusesPrivateEndpointsDuplicatesAndBadSchemas() {
        String admin = newAdmin();
        Map<String, Object> base = Map.of("description", "d", "parameters", OBJECT_SCHEMA);

        Map<String, Object> privateEndpoint = new HashMap<>(base);
        privateEndpoint.putAll(Map.of("name", unique("priv"), "endpoint", "http://169.254.169.254/latest"));
        assertThat(errorFields(assertProblem(post("/api/v1/tools", admin, privateEndpoint), 400, "validation")))
                .containsExactly("endpoint");

        Map<String, Object> remoteRef = new HashMap<>(base);
        remoteRef.putAll(Map.of(
                "name", unique("ref"),
                "endpoint", stubUrl("localhost") + "/echo",
                "parameters", Map.of("type", "object", "$ref", "http://evil.example/schema.json")));
        assertThat(errorFields(assertProblem(post("/api/v1/tools", admin, remoteRef), 400, "validation")))
                .containsExactly("parameters");

        Map<String, Object> duplicate = new HashMap<>(base);
        duplicate.putAll(Map.of("name", "calculator", "endpoint", stubUrl("localhost") + "/echo"));
        assertProblem(post("/api/v1/tools", admin, duplicate), 409, "conflict");

        Map<String, Object> reservedHeader = new HashMap<>(base);
        reservedHeader.putAll(Map.of(
                "name", unique("hdr"),
                "endpoint", stubUrl("localhost") + "/echo",
                "headers", Map.of("X-Agency-Signature", "forged")));
        assertThat(errorFields(assertProblem(post("/api/v1/tools", admin, reservedHeader), 400, "validation")))
                .containsExactly("headers");
    }

    @Test
    void aToolThatAnswersInvalidJsonFailsClassified() {
        String name = unique("garbled");
        register(newAdmin(), name, "/not-json", Map.of());

        assertThat(assertFailed(executeOk(newUser(), name, Map.of("city", "x")), "network"))
                .contains("invalid JSON");
    }

    @Test
    void aToolThatAnswersTooMuchFailsClassified() {
        String name = unique("chatty");
        register(newAdmin(), name, "/huge", Map.of()); // 200 000 bytes; max-response-bytes=65536 in the tests

        assertThat(assertFailed(executeOk(newUser(), name, Map.of("city", "x")), "network"))
                .contains("65536");
    }

    @Test
    void aHangingToolTimesOutWhileOthersStayFast() throws Exception {
        String name = unique("hanging");
        register(newAdmin(), name, "/slow", Map.of("timeoutMs", 1500));
        String user = newUser();

        CompletableFuture<JsonNode> hanging =
                CompletableFuture.supplyAsync(() -> executeOk(user, name, Map.of("city", "x")));
        // while it hangs, another tool answers: its own execution time stays far below the hanging tool's timeout
        JsonNode fast = executeOk(user, "calculator", Map.of("expression", "6*7"));
        assertThat(assertSucceeded(fast).get("result").asDouble()).isEqualTo(42.0);
        assertThat(hanging.isDone()).isFalse();

        JsonNode timedOut = hanging.get();
        assertThat(assertFailed(timedOut, "network")).contains("did not answer within 1500 ms");
        assertThat(timedOut.get("executionTimeMs").asLong()).isGreaterThanOrEqualTo(1500);
    }

    @Test
    void aRepeatedlyFailingToolOpensItsCircuitThenRecovers() {
        String name = unique("flaky");
        register(newAdmin(), name, "/flaky", Map.of());
        String user = newUser();
        FLAKY_FAILING.set(true);
        try {
            for (int i = 0; i < 4; i++) { // circuit-window=4 in the test configuration
                assertFailed(executeOk(user, name, Map.of("city", "x")), "internal");
            }
            RECEIVED.remove("/flaky");
            String message = assertFailed(executeOk(user, name, Map.of("city", "x")), "service_unavailable");
            assertThat(message).contains("circuit is open");
            assertThat(RECEIVED).doesNotContainKey("/flaky"); // refused without reaching the endpoint

            FLAKY_FAILING.set(false);
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        JsonNode envelope = executeOk(user, name, Map.of("city", "x"));
                        assertThat(envelope.get("success").asBoolean())
                                .as(envelope.toString())
                                .isTrue();
                    });
            assertSucceeded(executeOk(user, name, Map.of("city", "x")));
        } finally {
            FLAKY_FAILING.set(true);
        }
    }

    @Test
    void aToolCircuitThatNoCallTriesAgainDoesNotStayOpenAfterItsWait() throws InterruptedException {
        // chaos scenario memory-kill: tool-search_memory's circuit opened while memory-service was down and showed
        // "open" long after memory-service was back, because no call came to try it
        String name = unique("abandoned");
        register(newAdmin(), name, "/flaky", Map.of());
        String user = newUser();
        FLAKY_FAILING.set(true);
        for (int i = 0; i < 4; i++) {
            assertFailed(executeOk(user, name, Map.of("city", "x")), "internal");
        }
        assertThat(circuitBreakers.circuitBreaker("tool-" + name).getState())
                .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN);

        Thread.sleep(1_000); // circuit-open-wait is 300 ms; no call meanwhile

        assertThat(circuitBreakers.circuitBreaker("tool-" + name).getState())
                .isEqualTo(io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN);
    }

    @Test
    void viewersMayNotRunHttpTools() {
        String name = unique("writer");
        register(newAdmin(), name, "/echo", Map.of());

        assertProblem(execute(jwts.viewer(UUID.randomUUID()), name, Map.of("city", "x")), 403, "authorization");
    }
}
