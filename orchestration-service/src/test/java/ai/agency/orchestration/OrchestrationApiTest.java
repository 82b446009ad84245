package ai.agency.orchestration;

import static ai.agency.orchestration.StubHttp.problem;
import static ai.agency.orchestration.StubHttp.reply;
import static ai.agency.orchestration.StubHttp.subject;
import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.crypto.SecretSealer;
import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.TestHttp;
import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.TestJwts;
import ai.agency.common.testsupport.UsageOwnerStub;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The one Spring context of orchestration-service's tests: the real application on a random port with its own
 * database, trusting {@link TestJwts} tokens, with the OpenAI starter enabled against a fake server. memory-service
 * and tool-service are other processes, so one real HTTP stub server on 127.0.0.1 plays both, speaking their REST
 * contracts: memories are kept in a list and searched by shared words, the calculator really calculates, add_memory
 * and search_memory act on the same list as memory-service does. It also plays an OpenAI-compatible server
 * ({@code /openai/v1/chat/completions}) that answers from a script and records the request bodies. The Ollama and
 * Anthropic providers and auth-service's profile endpoint point at {@link FakeUpstreams}. The prompt window is 4
 * messages, so that running summaries are cheap to reach.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        classes = {OrchestrationServiceApplication.class, OrchestrationApiTest.TestTokens.class},
        properties = {
            "spring.ai.model.chat=openai",
            "spring.ai.openai.api-key=test-key",
            "spring.ai.openai.chat.model=fake-gpt",
            "spring.ai.openai.max-retries=0",
            "agency.orchestration.providers.anthropic.api-key=test-anthropic-key",
            "agency.orchestration.providers.anthropic.model=fake-claude",
            "agency.orchestration.providers.ollama.model=fake-llama",
            "agency.orchestration.providers.retry.initial-backoff=50ms",
            "agency.orchestration.history-messages=4",
            "agency.clients.auth.max-attempts=1",
            "agency.clients.auth.sliding-window-size=1000",
            "agency.orchestration.max-content-length=2000",
            "agency.clients.memory.max-attempts=1",
            "agency.clients.tool.max-attempts=1",
            "agency.clients.memory.sliding-window-size=1000",
            "agency.clients.tool.sliding-window-size=1000",
            "agency.orchestration.tools-cache-ttl=0s",
            "agency.orchestration.workflows.schedules.polling-interval=200ms"
        })
@DatabaseTest
public abstract class OrchestrationApiTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient CLIENT =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A memory as the memory-service stub keeps it. */
    protected record StoredMemory(String id, String userId, String memory) {}

    protected static final List<StoredMemory> MEMORIES = new CopyOnWriteArrayList<>();
    /** Bodies of memory-service adds with {@code messages} (memory extraction after a turn). */
    protected static final List<JsonNode> EXTRACTIONS = new CopyOnWriteArrayList<>();
    /** Extractions of a conversation (by id) the memory-service stub refuses with 503 before accepting one. */
    protected static final Map<String, java.util.concurrent.atomic.AtomicInteger> EXTRACTION_REFUSALS =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Extraction requests of a conversation (by id) the memory-service stub received, refused ones included. */
    protected static final Map<String, java.util.concurrent.atomic.AtomicInteger> EXTRACTION_ATTEMPTS =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Tools executed on the tool-service stub, as {@code name parameters}. */
    protected static final List<String> EXECUTED = new CopyOnWriteArrayList<>();
    /** Request bodies the fake OpenAI server received. */
    protected static final List<JsonNode> OPENAI_REQUESTS = new CopyOnWriteArrayList<>();
    /** Scripted OpenAI answers: each a list of SSE {@code data:} payloads (without {@code [DONE]}). */
    protected static final BlockingQueue<List<String>> OPENAI_SCRIPT = new LinkedBlockingQueue<>();

    /**
     * Holds of the fake OpenAI server: a request whose messages contain {@code hold:<key>} for a key registered here
     * waits until its latch is counted down, then answers "released" (no script is used).
     */
    protected static final Map<String, java.util.concurrent.CountDownLatch> HOLDS =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Requests that arrived at a hold, by key. */
    protected static final Map<String, java.util.concurrent.atomic.AtomicInteger> HELD =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static final java.util.regex.Pattern HOLD = java.util.regex.Pattern.compile("hold:([a-z0-9-]+)");

    protected static final java.util.concurrent.atomic.AtomicReference<String> OPENAI_AUTHORIZATION =
            new java.util.concurrent.atomic.AtomicReference<>();

    /** Latches of the stub's {@code gate} tool: a call returns once {@code parties} calls with its key arrived. */
    protected static final Map<String, java.util.concurrent.CountDownLatch> GATES =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Calls of the stub's {@code gate} and {@code flaky} tools, by key. */
    protected static final Map<String, java.util.concurrent.atomic.AtomicInteger> CALLS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The {@code Idempotency-Key} header of each call of the stub's tools, by the call's {@code key} parameter. */
    protected static final Map<String, List<String>> IDEMPOTENCY_KEYS = new java.util.concurrent.ConcurrentHashMap<>();

    /** While above 0, a call carrying an {@code Idempotency-Key} is answered 409 {@code idempotency_key_in_use}. */
    protected static final java.util.concurrent.atomic.AtomicInteger KEY_IN_USE_ANSWERS =
            new java.util.concurrent.atomic.AtomicInteger();

    protected static int calls(String key) {
        java.util.concurrent.atomic.AtomicInteger count = CALLS.get(key);
        return count == null ? 0 : count.get();
    }

    /** A request the stub received: the token's subject (null without one) and the path. */
    protected record StubRequest(String user, String path) {}

    /** Every request the stub received (memory-service, tool-service, auth-service, OpenAI), in order. */
    protected static final List<StubRequest> STUB_REQUESTS = new CopyOnWriteArrayList<>();

    protected static final AtomicBoolean MEMORY_DOWN = new AtomicBoolean();
    protected static final AtomicBoolean TOOLS_DOWN = new AtomicBoolean();
    /** When true, tool-service's execute answers 429 {@code rate_limit} with {@code Retry-After} (a busy tool). */
    protected static final AtomicBoolean TOOLS_BUSY = new AtomicBoolean();

    protected static final HttpServer STUB = startStub();

    @TestConfiguration(proxyBeanMethods = false)
    public static class TestTokens {

        @Bean
        TestJwts testJwts() {
            return TestJwts.create();
        }

        @Bean
        JwtDecoder testJwtDecoder(TestJwts jwts) {
            return jwts.decoder();
        }

        @Bean
        static org.springframework.beans.factory.config.BeanPostProcessor statementLog() {
            return StatementLog.installer();
        }
    }

    /** A real random master key (it seals runs' API keys): without one orchestration-service refuses to start. */
    protected static final String MASTER_KEY = SecretSealer.newMasterKey();

    @DynamicPropertySource
    static void downstreams(DynamicPropertyRegistry registry) {
        registry.add("AGENCY_MASTER_KEY", () -> MASTER_KEY);
        registry.add("agency.clients.memory.base-url", () -> stubUrl() + "/memory");
        registry.add("agency.clients.tool.base-url", () -> stubUrl() + "/tool");
        registry.add("spring.ai.openai.base-url", () -> stubUrl() + "/openai/v1");
        registry.add("agency.orchestration.providers.ollama.base-url", () -> FakeUpstreams.url() + "/ollama");
        registry.add("agency.orchestration.providers.anthropic.base-url", () -> FakeUpstreams.url() + "/anthropic");
        registry.add("agency.clients.auth.base-url", () -> FakeUpstreams.url() + "/auth");
        registry.add("agency.usage.owner-url", () -> UsageOwnerStub.shared().url());
        registry.add("agency.usage.relay-interval", () -> "200ms");
        registry.add("agency.usage.ingest-secret", () -> UsageOwnerStub.SECRET);
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected TestJwts jwts;

    protected static String stubUrl() {
        return "http://127.0.0.1:" + STUB.getAddress().getPort();
    }

    private static HttpServer startStub() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", OrchestrationApiTest::handle);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            handleOpen(exchange);
        }
    }

    private static void handleOpen(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            STUB_REQUESTS.add(
                    new StubRequest(subject(exchange.getRequestHeaders().getFirst("Authorization")), path));
            if (path.startsWith("/auth/")) {
                AuthStub.handle(exchange);
                return;
            }
            OPENAI_AUTHORIZATION.set(
                    path.startsWith("/openai/")
                            ? exchange.getRequestHeaders().getFirst("Authorization")
                            : OPENAI_AUTHORIZATION.get());
            String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode body = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            String user = subject(exchange.getRequestHeaders().getFirst("Authorization"));
            if (path.startsWith("/memory/") && MEMORY_DOWN.get() || path.startsWith("/tool/") && TOOLS_DOWN.get()) {
                reply(exchange, 503, problem(503, "service_unavailable", "stopped by the test"));
                return;
            }
            if (!path.startsWith("/openai/") && user == null) {
                reply(exchange, 401, problem(401, "authentication", "no bearer token"));
                return;
            }
            if (path.equals("/memory/api/v1/memories") && body.has("messages")) {
                String conversation =
                        body.path("metadata").path("conversationId").asString();
                EXTRACTION_ATTEMPTS
                        .computeIfAbsent(conversation, c -> new java.util.concurrent.atomic.AtomicInteger())
                        .incrementAndGet();
                java.util.concurrent.atomic.AtomicInteger refusals = EXTRACTION_REFUSALS.get(conversation);
                if (refusals != null && refusals.getAndDecrement() > 0) {
                    reply(exchange, 503, problem(503, "resource_exhausted", "busy, says the test"));
                    return;
                }
            }
            switch (path) {
                case "/memory/api/v1/memories" -> reply(exchange, 201, JSON.writeValueAsString(addMemory(user, body)));
                case "/memory/api/v1/memories/search" ->
                    reply(
                            exchange,
                            200,
                            JSON.writeValueAsString(
                                    searchMemories(user, body.path("query").asString())));
                case "/tool/api/v1/tools" -> reply(exchange, 200, TOOLS);
                case "/openai/v1/chat/completions" -> openAi(exchange, body);
                default -> {
                    if (path.startsWith("/tool/api/v1/tools/") && path.endsWith("/execute") && TOOLS_BUSY.get()) {
                        exchange.getResponseHeaders().add("Retry-After", "1");
                        reply(exchange, 429, problem(429, "rate_limit", "Tool is busy, says the test; retry shortly"));
                    } else if (path.startsWith("/tool/api/v1/tools/") && path.endsWith("/execute")) {
                        String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
                        if (body.path("parameters").has("key")) {
                            IDEMPOTENCY_KEYS
                                    .computeIfAbsent(
                                            body.path("parameters").path("key").asString(),
                                            k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                    .add(idempotencyKey == null ? "(none)" : idempotencyKey);
                        }
                        if (idempotencyKey != null && KEY_IN_USE_ANSWERS.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            reply(
                                    exchange,
                                    409,
                                    JSON.writeValueAsString(Map.of(
                                            "status", 409,
                                            "errorType", "conflict",
                                            "title", "stub",
                                            "detail", "A call with this Idempotency-Key is still running",
                                            "reason", "idempotency_key_in_use")));
                            return;
                        }
                        String tool =
                                path.substring("/tool/api/v1/tools/".length(), path.length() - "/execute".length());
                        reply(exchange, 200, JSON.writeValueAsString(execute(user, tool, body.path("parameters"))));
                    } else {
                        reply(exchange, 404, problem(404, "not_found", "no such stub path " + path));
                    }
                }
            }
        } catch (RuntimeException e) {
            reply(exchange, 500, problem(500, "internal", String.valueOf(e)));
        }
    }

    private static final String TOOLS = """
            {"items": [
              {"name": "calculator", "description": "Evaluates an arithmetic expression", "source": "builtin", "enabled": true,
               "parameters": {"type": "object", "properties": {"expression": {"type": "string"}}, "required": ["expression"]}},
              {"name": "current_time", "description": "The current time", "source": "builtin", "enabled": true,
               "parameters": {"type": "object", "properties": {"timezone": {"type": "string"}}}},
              {"name": "add_memory", "description": "Stores a memory", "source": "builtin", "enabled": true,
               "parameters": {"type": "object", "properties": {"content": {"type": "string"}}, "required": ["content"]}},
              {"name": "search_memory", "description": "Searches memories", "source": "builtin", "enabled": true,
               "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}},
              {"name": "gate", "description": "Test: returns once `parties` calls with the same key arrived", "source": "http",
               "enabled": true, "parameters": {"type": "object"}},
              {"name": "flaky", "description": "Test: fails `failures` times per key, then succeeds", "source": "http",
               "enabled": true, "parameters": {"type": "object"}}
            ], "nextCursor": null}
            """;

    private static ObjectNode addMemory(String user, JsonNode body) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray("results");
        if (body.has("messages")) {
            EXTRACTIONS.add(body);
            return answer;
        }
        StoredMemory memory = new StoredMemory(
                UUID.randomUUID().toString(), user, body.path("content").asString());
        MEMORIES.add(memory);
        results.addObject()
                .put("id", memory.id())
                .put("memory", memory.memory())
                .put("event", "ADD");
        return answer;
    }

    private static ObjectNode searchMemories(String user, String query) {
        Set<String> words = words(query);
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode results = answer.putArray("results");
        for (StoredMemory memory : MEMORIES) {
            if (memory.userId().equals(user) && words(memory.memory()).stream().anyMatch(words::contains)) {
                results.addObject()
                        .put("id", memory.id())
                        .put("memory", memory.memory())
                        .put("score", 0.8)
                        .put("createdAt", Instant.now().toString());
            }
        }
        return answer;
    }

    private static Set<String> words(String text) {
        Set<String> stop = Set.of("what", "the", "you", "know", "about", "that", "remember", "is", "my");
        return java.util.Arrays.stream(text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
                .filter(w -> w.length() >= 3 && !stop.contains(w))
                .collect(Collectors.toSet());
    }

    private static ObjectNode execute(String user, String tool, JsonNode parameters) {
        EXECUTED.add(tool + " " + parameters);
        ObjectNode envelope = JSON.createObjectNode().put("tool", tool);
        try {
            JsonNode data = switch (tool) {
                case "calculator" -> {
                    String expression = parameters.path("expression").asString();
                    yield JSON.createObjectNode()
                            .put("expression", expression)
                            .put("result", new Arithmetic(expression).evaluate());
                }
                case "current_time" ->
                    JSON.createObjectNode()
                            .put("timezone", "UTC")
                            .put("dateTime", "2026-01-02T03:04:05Z")
                            .put("dayOfWeek", "FRIDAY");
                case "add_memory" -> addMemory(user, parameters);
                case "search_memory" ->
                    searchMemories(user, parameters.path("query").asString());
                case "gate" -> gate(parameters);
                case "flaky" -> {
                    String key = parameters.path("key").asString();
                    int call = CALLS.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger())
                            .incrementAndGet();
                    if (call <= parameters.path("failures").asInt(0)) {
                        envelope.put("success", false)
                                .putObject("error")
                                .put("errorType", parameters.path("errorType").asString("service_unavailable"))
                                .put("message", "failure " + call + " of " + key);
                        yield null;
                    }
                    yield JSON.createObjectNode().put("key", key).put("call", call);
                }
                default -> throw new IllegalArgumentException("unknown tool " + tool);
            };
            if (data != null) {
                envelope.put("success", true).set("data", data);
            }
        } catch (IllegalArgumentException e) {
            envelope.put("success", false)
                    .putObject("error")
                    .put("errorType", "validation")
                    .put("message", e.getMessage());
        }
        return envelope.put("executionTimeMs", 1);
    }

    private static JsonNode gate(JsonNode parameters) {
        String key = parameters.path("key").asString();
        CALLS.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger())
                .incrementAndGet();
        java.util.concurrent.CountDownLatch latch = GATES.computeIfAbsent(
                key,
                k -> new java.util.concurrent.CountDownLatch(
                        parameters.path("parties").asInt(2)));
        latch.countDown();
        try {
            if (!latch.await(20, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalArgumentException("gate " + key + ": the other parties never came");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("interrupted");
        }
        return JSON.createObjectNode().put("key", key).put("overlapped", true);
    }

    private static void openAi(HttpExchange exchange, JsonNode body) throws IOException {
        OPENAI_REQUESTS.add(body);
        java.util.regex.Matcher hold = HOLD.matcher(body.toString());
        if (hold.find() && HOLDS.containsKey(hold.group(1))) {
            held(exchange, body, hold.group(1));
            return;
        }
        List<String> script = OPENAI_SCRIPT.poll();
        if (script == null) {
            reply(exchange, 500, "{\"error\":{\"message\":\"no scripted answer\",\"type\":\"server_error\"}}");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        for (String data : script) {
            exchange.getResponseBody().write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
        }
        exchange.getResponseBody().write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
    }

    private static void held(HttpExchange exchange, JsonNode body, String key) throws IOException {
        HELD.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger())
                .incrementAndGet();
        try {
            HOLDS.get(key).await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String head = "{\"id\":\"chatcmpl-h\",\"created\":1700000000,\"model\":\"fake-gpt\",";
        if (!body.path("stream").asBoolean(false)) {
            reply(
                    exchange,
                    200,
                    head + "\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                            + "\"assistant\",\"content\":\"released\"},\"finish_reason\":\"stop\"}],"
                            + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        exchange.getResponseBody()
                .write(("data: " + head + "\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
                                + "\"delta\":{\"role\":\"assistant\",\"content\":\"released\"},"
                                + "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** A real (small) calculator: + - * / ^ and parentheses, for the tool-service stub. */
    private static final class Arithmetic {
        private final String s;
        private int i;

        Arithmetic(String expression) {
            this.s = expression.replace(" ", "");
        }

        double evaluate() {
            double v = sum();
            if (i != s.length()) {
                throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "'");
            }
            return v;
        }

        private double sum() {
            double v = product();
            while (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                v = s.charAt(i++) == '+' ? v + product() : v - product();
            }
            return v;
        }

        private double product() {
            double v = power();
            while (i < s.length() && (s.charAt(i) == '*' || s.charAt(i) == '/')) {
                v = s.charAt(i++) == '*' ? v * power() : v / power();
            }
            return v;
        }

        private double power() {
            double base = unary();
            if (i < s.length() && s.charAt(i) == '^') {
                i++;
                return Math.pow(base, power());
            }
            return base;
        }

        private double unary() {
            if (i < s.length() && s.charAt(i) == '-') {
                i++;
                return -unary();
            }
            if (i < s.length() && s.charAt(i) == '(') {
                i++;
                double v = sum();
                i++;
                return v;
            }
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("a number was expected at " + start);
            }
            return Double.parseDouble(s.substring(start, i));
        }
    }

    // ---- client side ----

    /** One server-sent event. */
    public record Event(long id, String name, JsonNode data) {}

    protected Response send(String method, String path, String token, Object body) {
        String json = body == null ? null : JSON.writeValueAsString(body);
        return TestHttp.send(URI.create("http://localhost:" + port + path), method, token, json, Map.of());
    }

    protected Response post(String path, String token, Object body) {
        return send("POST", path, token, body);
    }

    protected Response get(String path, String token) {
        return send("GET", path, token, null);
    }

    /** Sends a chat message with {@code Accept: text/event-stream} and reads the whole stream. */
    protected List<Event> stream(String conversationId, String token, String content) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + port + "/api/v1/conversations/" + conversationId + "/messages"))
                .header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("content", content))))
                .build();
        try {
            HttpResponse<java.util.stream.Stream<String>> response =
                    CLIENT.send(request, HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type").orElse(""))
                    .startsWith(MediaType.TEXT_EVENT_STREAM_VALUE);
            return events(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected String newUser() {
        return jwts.user(UUID.randomUUID());
    }

    protected String newConversation(String token) {
        Response created = post("/api/v1/conversations", token, Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    protected String newConversation(String token, String agentId) {
        Response created = post("/api/v1/conversations", token, Map.of("agentId", agentId));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().get("id").asString();
    }

    /** Sends a non-streaming chat message and returns {@code message}. */
    protected JsonNode chat(String conversationId, String token, String content) {
        Response response =
                post("/api/v1/conversations/" + conversationId + "/messages", token, Map.of("content", content));
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("message");
    }

    protected static JsonNode assertProblem(Response response, int status, String errorType) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("errorType").asString()).isEqualTo(errorType);
        return problem;
    }

    protected static String text(List<Event> events) {
        return events.stream()
                .filter(e -> e.name().equals("token"))
                .map(e -> e.data().get("text").asString())
                .collect(Collectors.joining());
    }

    /** The events of an SSE body, read to its end: {@code id:}, {@code event:} and JSON {@code data:} lines. */
    protected static List<Event> events(java.util.stream.Stream<String> lines) {
        List<Event> events = new ArrayList<>();
        long[] id = {-1};
        String[] name = {null};
        StringBuilder data = new StringBuilder();
        lines.forEach(line -> {
            if (line.isEmpty()) {
                if (name[0] != null) {
                    events.add(new Event(id[0], name[0], JSON.readTree(data.toString())));
                }
                id[0] = -1;
                name[0] = null;
                data.setLength(0);
            } else if (line.startsWith("id:")) {
                id[0] = Long.parseLong(line.substring(3).strip());
            } else if (line.startsWith("event:")) {
                name[0] = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5).strip());
            }
        });
        return events;
    }
}
