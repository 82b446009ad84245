package ai.agency.tool;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.crypto.SecretSealer;
import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.common.testsupport.TestHttp;
import ai.agency.common.testsupport.TestHttp.Response;
import ai.agency.common.testsupport.TestJwts;
import ai.agency.common.testsupport.UsageOwnerStub;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one Spring context of tool-service's integration tests: the real application on a random port with its own
 * database, trusting {@link TestJwts} tokens, and one real HTTP stub server on 127.0.0.1 that plays memory-service,
 * multimodal-service and the endpoints of HTTP tools. {@code localhost} is allow-listed (so HTTP tools can reach the
 * stub by that name); every other loopback spelling stays refused, which the SSRF tests rely on.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        classes = {ToolServiceApplication.class, ToolApiTest.TestTokens.class},
        properties = {
            "agency.tool.allowed-hosts=localhost",
            "agency.tool.circuit-window=4",
            "agency.tool.circuit-open-wait=300ms",
            "agency.tool.max-response-bytes=65536",
            "agency.tool.idempotency.in-flight-wait=2s",
            "agency.clients.memory.max-attempts=1",
            "agency.clients.multimodal.max-attempts=1"
        })
@DatabaseTest
public abstract class ToolApiTest {

    protected static final JsonMapper JSON = JsonMapper.builder().build();

    /** What the stub received, by path. */
    protected static final Map<String, Received> RECEIVED = new ConcurrentHashMap<>();

    /** The {@code supersededBy} of the stub's second search hit, a memory closed on 2025-03-01. */
    protected static final UUID CLOSED_BY = UUID.fromString("5d0c6f52-3f4e-4a8e-9a52-2d3b4c5e6f70");

    /** When true, {@code /flaky} answers 500. */
    protected static final AtomicBoolean FLAKY_FAILING = new AtomicBoolean(true);

    /**
     * Gates of the stub's {@code /held/<key>} endpoint: a request waits until the key's latch is counted down (at most
     * 60 s), then answers {@code {"released": true}}; {@link #HELD_ARRIVALS} counts the requests that arrived.
     */
    protected static final Map<String, java.util.concurrent.CountDownLatch> HELD_GATES = new ConcurrentHashMap<>();

    protected static final Map<String, java.util.concurrent.atomic.AtomicInteger> HELD_ARRIVALS =
            new ConcurrentHashMap<>();

    protected static final HttpServer STUB = startStub();

    /** A request the stub got. */
    protected record Received(String method, String query, HttpHeaders headers, String body) {}

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
    }

    /** A real random master key: without one tool-service refuses to start. */
    protected static final String MASTER_KEY = SecretSealer.newMasterKey();

    @DynamicPropertySource
    static void downstreams(DynamicPropertyRegistry registry) {
        registry.add("agency.tool.master-key", () -> MASTER_KEY);
        registry.add("agency.usage.owner-url", () -> UsageOwnerStub.shared().url());
        registry.add("agency.usage.relay-interval", () -> "200ms");
        registry.add("agency.usage.ingest-secret", () -> UsageOwnerStub.SECRET);
        registry.add("agency.clients.memory.base-url", () -> stubUrl("127.0.0.1") + "/memory");
        registry.add("agency.clients.multimodal.base-url", () -> stubUrl("127.0.0.1") + "/multimodal");
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected TestJwts jwts;

    protected static String stubUrl(String host) {
        return "http://" + host + ":" + STUB.getAddress().getPort();
    }

    private static HttpServer startStub() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", ToolApiTest::handle);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        RECEIVED.put(
                path,
                new Received(
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().getRawQuery(),
                        HttpHeaders.of(exchange.getRequestHeaders(), (a, b) -> true),
                        body));
        String host = exchange.getRequestHeaders().getFirst("Host");
        switch (path) {
            case "/memory/api/v1/memories" -> {
                // like memory-service: the new memory's ADD, then a SUPERSEDE for each memory it closes
                StringBuilder results = new StringBuilder(
                        "{\"results\":[{\"id\":\"" + UUID.randomUUID() + "\",\"memory\":\"stored\",\"event\":\"ADD\"}");
                JSON.readTree(body)
                        .path("supersedes")
                        .forEach(id -> results.append(",{\"id\":\"")
                                .append(id.asString())
                                .append("\",\"memory\":\"closed\",\"event\":\"SUPERSEDE\"}"));
                reply(exchange, 201, "application/json", results.append("]}").toString());
            }
            case "/memory/api/v1/memories/search" ->
                reply(
                        exchange,
                        200,
                        "application/json",
                        "{\"results\":[{\"memory\":\"likes tea\",\"score\":0.9,"
                                + "\"validFrom\":\"2025-03-01T00:00:00Z\",\"invalidAt\":null,\"supersededBy\":null},"
                                + "{\"memory\":\"likes coffee\",\"score\":0.4,"
                                + "\"validFrom\":\"2020-01-01T00:00:00Z\",\"invalidAt\":\"2025-03-01T00:00:00Z\","
                                + "\"supersededBy\":\"" + CLOSED_BY + "\"}]}");
            case "/multimodal/api/v1/analyze/text" ->
                reply(
                        exchange,
                        200,
                        "application/json",
                        "{\"language\":{\"code\":\"en\",\"confidence\":0.99},"
                                + "\"sentiment\":{\"score\":0.8,\"label\":\"positive\",\"confidence\":0.9}}");
            case "/echo" ->
                reply(
                        exchange,
                        200,
                        "application/json",
                        "{\"received\":" + (body.isEmpty() ? "null" : body) + ",\"query\":\""
                                + (exchange.getRequestURI().getRawQuery() == null
                                        ? ""
                                        : exchange.getRequestURI().getRawQuery())
                                + "\"}");
            case "/slow" -> {
                try {
                    Thread.sleep(20_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                reply(exchange, 200, "application/json", "{}");
            }
            case "/flaky" -> {
                if (FLAKY_FAILING.get()) {
                    reply(exchange, 500, "application/json", "{\"error\":\"broken\"}");
                } else {
                    reply(exchange, 200, "application/json", "{\"ok\":true}");
                }
            }
            case "/not-json" -> reply(exchange, 200, "application/json", "{this is not json");
            case "/huge" -> reply(exchange, 200, "text/plain", "x".repeat(200_000));
            case "/binary" -> reply(exchange, 200, "application/octet-stream", "\u0000\u0001\u0002");
            case "/text" -> reply(exchange, 200, "text/plain; charset=utf-8", "hello from " + host);
            case "/redirect-to-loopback" -> redirect(exchange, stubUrl("127.0.0.1") + "/text");
            case "/redirect-to-metadata" -> redirect(exchange, "http://169.254.169.254/latest/meta-data/");
            case "/redirect-ok" -> redirect(exchange, "/text");
            default -> {
                if (path.startsWith("/held/")) {
                    held(exchange, path.substring("/held/".length()));
                } else {
                    reply(exchange, 404, "text/plain", "no such stub path");
                }
            }
        }
    }

    private static void held(HttpExchange exchange, String key) throws IOException {
        HELD_ARRIVALS
                .computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger())
                .incrementAndGet();
        try {
            HELD_GATES
                    .computeIfAbsent(key, k -> new java.util.concurrent.CountDownLatch(1))
                    .await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reply(exchange, 200, "application/json", "{\"released\":true}");
    }

    private static void redirect(HttpExchange exchange, String location) throws IOException {
        exchange.getResponseHeaders().add("Location", location);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private static void reply(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    protected Response send(String method, String path, String token, String rawJson) {
        return send(method, path, token, rawJson, Map.of());
    }

    protected Response send(String method, String path, String token, String rawJson, Map<String, String> headers) {
        return TestHttp.send(URI.create("http://localhost:" + port + path), method, token, rawJson, headers);
    }

    protected Response post(String path, String token, Object body) {
        return send("POST", path, token, JSON.writeValueAsString(body));
    }

    protected Response get(String path, String token) {
        return send("GET", path, token, null);
    }

    protected Response delete(String path, String token) {
        return send("DELETE", path, token, null);
    }

    /** A real MCP client (the SDK's streamable-HTTP transport) for this app's {@code /mcp}, sending {@code token}. */
    protected McpSyncClient mcpClient(String token) {
        return mcpClient(token, tools -> {});
    }

    /** As {@link #mcpClient(String)}, telling {@code toolsChanged} each list the server announces as changed. */
    protected McpSyncClient mcpClient(String token, Consumer<List<McpSchema.Tool>> toolsChanged) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder(
                        "http://localhost:" + port)
                .endpoint("/mcp")
                .httpRequestCustomizer((request, method, uri, body, context) -> {
                    if (token != null) {
                        request.header("Authorization", "Bearer " + token);
                    }
                })
                .build();
        return McpClient.sync(transport)
                .requestTimeout(Duration.ofSeconds(20))
                .clientInfo(new McpSchema.Implementation("tool-service-test", "1.0"))
                .toolsChangeConsumer(toolsChanged)
                .build();
    }

    protected String newUser() {
        return jwts.user(UUID.randomUUID());
    }

    protected String newAdmin() {
        return jwts.admin(UUID.randomUUID());
    }

    protected Response execute(String token, String tool, Map<String, ?> parameters) {
        return post("/api/v1/tools/" + tool + "/execute", token, Map.of("parameters", parameters));
    }

    /** Executes and asserts a 200 envelope for {@code tool}; returns the envelope. */
    protected JsonNode executeOk(String token, String tool, Map<String, ?> parameters) {
        Response response = execute(token, tool, parameters);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode envelope = response.json();
        assertThat(envelope.get("tool").asString()).isEqualTo(tool);
        assertThat(envelope.get("executionTimeMs").isNumber()).isTrue();
        return envelope;
    }

    /** Asserts the envelope failed with {@code errorType}; returns the message. */
    protected static String assertFailed(JsonNode envelope, String errorType) {
        assertThat(envelope.get("success").asBoolean()).as(envelope.toString()).isFalse();
        assertThat(envelope.has("data")).isFalse();
        assertThat(envelope.get("error").get("errorType").asString())
                .as(envelope.toString())
                .isEqualTo(errorType);
        return envelope.get("error").get("message").asString();
    }

    protected static JsonNode assertSucceeded(JsonNode envelope) {
        assertThat(envelope.get("success").asBoolean()).as(envelope.toString()).isTrue();
        assertThat(envelope.has("error")).isFalse();
        return envelope.get("data");
    }

    protected static JsonNode assertProblem(Response response, int status, String errorType) {
        return ProblemAssertions.assertProblem(
                response.status(), response.contentType(), response.body(), status, errorType);
    }

    protected static List<String> errorFields(JsonNode problem) {
        return ProblemAssertions.errorFields(problem);
    }
}
