package ai.agency.gateway;

import ai.agency.common.testsupport.DatabaseTest;
import ai.agency.common.testsupport.TestJwts;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one shared context of the realtime tests: the gateway on a random port in front of a JDK HTTP server that
 * speaks the contracts of auth-service (ticket redemption), orchestration-service (conversations, chat with SSE) and
 * tool-service (execute). Its chat stream can be held at a gate so tests see each token relayed as it arrives.
 */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "agency.gateway.realtime.heartbeat-interval=1s",
            "agency.gateway.realtime.max-connections-per-user=3",
            "agency.gateway.realtime.max-frame-bytes=4096",
            "agency.gateway.realtime.rate-capacity=40",
            "agency.gateway.realtime.rate-per-second=5",
            "agency.gateway.realtime.max-run-subscriptions=2",
            // REST limits: the tool route is its own, tight class; its bodies may be 2 KB
            "agency.gateway.rate-limit.classes.tight.capacity=3",
            "agency.gateway.rate-limit.classes.tight.period=1h",
            "agency.gateway.rate-limit.classes.tight.routes=tool",
            // incoming webhooks: 3 deliveries per hour per webhook (class hooks, per path)
            "agency.gateway.rate-limit.classes.hooks.capacity=3",
            "agency.gateway.rate-limit.classes.hooks.period=1h",
            "agency.gateway.rate-limit.store-retry=1s", // SharedRateLimitTest: the store is tried again soon
            "agency.gateway.rate-limit.store-timeout=5s", // a loaded test machine is slow, not a failing store
            // the test database server is shared with other builds: hold few connections
            "agency.gateway.rate-limit.store-pool-size=2",
            "spring.datasource.hikari.maximum-pool-size=6",
            "agency.gateway.routes.tool.max-body-size=2KB",
            "agency.gateway.cors.allowed-origins=https://app.example.com"
        })
@DatabaseTest
public abstract class RealtimeTestSupport {

    public static final TestJwts JWTS = TestJwts.create();
    public static final JsonMapper JSON = JsonMapper.builder().build();
    /** Tickets auth-service would redeem, once each: ticket → access token. */
    public static final Map<String, String> TICKETS = new ConcurrentHashMap<>();
    /** Accounts auth-service would sign in (password "secret"): username → access token. */
    public static final Map<String, String> ACCOUNTS = new ConcurrentHashMap<>();

    /** The {@code Cookie} header the auth stub's provider callback last received. */
    public static final Map<String, String> OIDC_CALLBACK_COOKIES = new ConcurrentHashMap<>();

    /** One-time codes of provider sign-ins the auth stub exchanges once: code → access token. */
    public static final Map<String, String> SIGN_IN_CODES = new ConcurrentHashMap<>();
    /** Memories memory-service would list (for every user): id → text; DELETE removes one. */
    public static final Map<String, String> MEMORIES = new ConcurrentHashMap<>();
    /** API keys auth-service would exchange: key → access token. */
    public static final Map<String, String> API_KEYS = new ConcurrentHashMap<>();
    /** Authorization headers the stub services saw. */
    public static final List<String> SEEN_TOKENS = new CopyOnWriteArrayList<>();
    /** The stub's stored messages by conversation id ({@code GET /api/v1/conversations/{id}/messages}). */
    public static final Map<String, List<Map<String, String>>> STORED_MESSAGES = new ConcurrentHashMap<>();
    /** Per gated stream (by its content): each permit lets it send one more token. */
    static final Map<String, Semaphore> GATES = new ConcurrentHashMap<>();

    public static Semaphore gate(String content) {
        return GATES.computeIfAbsent(content, k -> new Semaphore(0));
    }

    public static final AtomicInteger STREAMS_CLOSED_EARLY = new AtomicInteger();

    /**
     * A workflow run orchestration would stream at {@code GET /api/v1/runs/{id}/events} to its owner only (others get
     * 404): its events {@code [name, data JSON]} get ids 1, 2, …; each event from index {@code holdFrom} on waits for a
     * permit of {@code gate}. With {@code keepOpen} the stream then stays open (comment lines) until the gateway
     * closes it, which is recorded in {@link #RUN_STREAMS_CLOSED}.
     */
    public record StubRun(String ownerToken, List<String[]> events, int holdFrom, boolean keepOpen, Semaphore gate) {
        public StubRun(String ownerToken, List<String[]> events, int holdFrom, boolean keepOpen) {
            this(ownerToken, events, holdFrom, keepOpen, new Semaphore(0));
        }
    }

    /**
     * A workflow orchestration would list at {@code GET /api/v1/workflows} to its owner and start at {@code POST
     * /api/v1/workflows/{id}/runs} (others get 404): each start registers a {@link StubRun} of these events, held from
     * {@code holdFrom} on by {@code gate} (with {@code keepOpen}, its stream stays open for events appended by an
     * approval or cancel), and records the run's {@code input} in {@link #RUN_INPUTS}.
     */
    public record StubWorkflow(
            String ownerToken, String name, List<String[]> events, int holdFrom, Semaphore gate, boolean keepOpen) {
        public StubWorkflow(String ownerToken, String name, List<String[]> events, int holdFrom, Semaphore gate) {
            this(ownerToken, name, events, holdFrom, gate, false);
        }
    }

    /** Workflows of the orchestration stub: workflow id → workflow. */
    public static final Map<String, StubWorkflow> WORKFLOWS = new ConcurrentHashMap<>();
    /** The {@code input} each run started through the stub was given: run id → input JSON. */
    public static final Map<String, JsonNode> RUN_INPUTS = new ConcurrentHashMap<>();

    /** Runs the orchestration stub streams: run id → run. */
    public static final Map<String, StubRun> RUNS = new ConcurrentHashMap<>();
    /**
     * The workflow and creation order of runs the stub lists at {@code GET /api/v1/runs} (newest first, the owner's
     * only): run id → [workflow id, order].
     */
    public static final Map<String, Object[]> RUN_LISTING = new ConcurrentHashMap<>();

    static final AtomicLong RUN_ORDER = new AtomicLong();

    /**
     * A decision or cancel the orchestration stub received: {@code action} is {@code approval} (with the step) or
     * {@code cancel}; {@code body} is the JSON sent (null for none).
     */
    public record RunAction(String runId, String action, String stepId, String authorization, JsonNode body) {}

    /** Every {@code POST /api/v1/runs/{id}/cancel} and {@code …/steps/{stepId}/approval} the stub received. */
    public static final List<RunAction> RUN_ACTIONS = new CopyOnWriteArrayList<>();

    /**
     * Registers a run the stub lists at {@code GET /api/v1/runs} (as if started elsewhere). Its {@code events} must be
     * mutable (approvals and cancels append to them) and, with {@code keepOpen}, its event stream relays what is
     * appended.
     */
    public static void listRun(String runId, String workflowId, StubRun run) {
        RUNS.put(runId, run);
        RUN_LISTING.put(runId, new Object[] {workflowId, RUN_ORDER.incrementAndGet()});
    }
    /** The {@code Last-Event-ID} each run's latest event request carried ("" for none): run id → header. */
    public static final Map<String, String> RUN_LAST_EVENT_IDS = new ConcurrentHashMap<>();
    /** Runs whose event stream the gateway closed while the stub was still writing. */
    public static final java.util.Set<String> RUN_STREAMS_CLOSED = ConcurrentHashMap.newKeySet();

    /** A delivery to an incoming webhook as orchestration's stub received it (headers as sent, or null). */
    protected record HookDelivery(
            String path, String authorization, String signature, String deliveryId, String body) {}

    /** Deliveries the orchestration stub received at {@code /hooks/**}. */
    protected static final List<HookDelivery> HOOK_DELIVERIES = new CopyOnWriteArrayList<>();

    static final HttpServer STUB = startStub();

    @LocalServerPort
    protected int port;

    /** The actuator's port (health details, /actuator/prometheus), apart from the public {@link #port}. */
    @LocalManagementPort
    protected int managementPort;

    @TestConfiguration
    static class Tokens {
        @Bean
        JwtDecoder jwtDecoder() {
            return JWTS.decoder();
        }
    }

    @DynamicPropertySource
    static void downstreams(DynamicPropertyRegistry registry) {
        String stub = "http://localhost:" + STUB.getAddress().getPort();
        registry.add("agency.gateway.routes.auth.uri", () -> stub);
        registry.add("agency.gateway.routes.orchestration.uri", () -> stub);
        registry.add("agency.gateway.routes.tool.uri", () -> stub);
        registry.add("agency.gateway.routes.memory.uri", () -> stub);
    }

    protected URI wsUri() {
        return URI.create("ws://localhost:" + port + "/ws");
    }

    /**
     * Starts another gateway replica on a random port: the same database (so the same replay log and NOTIFY channel)
     * and the same stub services, with {@code extra} settings ({@code key=value}).
     */
    protected static ConfigurableApplicationContext startReplica(Environment env, String... extra) {
        String stub = "http://localhost:" + STUB.getAddress().getPort();
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--management.server.port=0",
                "--spring.datasource.url=" + env.getProperty("spring.datasource.url"),
                "--spring.datasource.username=" + env.getProperty("spring.datasource.username"),
                "--spring.datasource.password=" + env.getProperty("spring.datasource.password"),
                "--agency.gateway.routes.auth.uri=" + stub,
                "--agency.gateway.routes.orchestration.uri=" + stub,
                "--agency.gateway.routes.tool.uri=" + stub,
                "--agency.gateway.rate-limit.store-pool-size=2",
                "--spring.datasource.hikari.maximum-pool-size=6"));
        for (String e : extra) {
            args.add("--" + e);
        }
        return new SpringApplicationBuilder(RealtimeGatewayApplication.class, Tokens.class)
                .run(args.toArray(String[]::new));
    }

    protected static int portOf(ConfigurableApplicationContext replica) {
        return ((WebServerApplicationContext) replica).getWebServer().getPort();
    }

    /** Opens /ws with {@code Authorization: Bearer}. */
    protected Client connect(String token) {
        return Client.open(wsUri(), b -> b.header("Authorization", "Bearer " + token));
    }

    // ---- the WebSocket client ----

    /** A JDK WebSocket client that parses every text frame into {@link #frames}. */
    public static final class Client implements WebSocket.Listener {
        public final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        public final List<JsonNode> all = new CopyOnWriteArrayList<>();
        public final AtomicInteger pings = new AtomicInteger();
        public volatile Integer closeCode;
        public WebSocket ws;
        private final StringBuilder partial = new StringBuilder();
        private volatile boolean paused;

        public void startReading() {
            paused = false;
            ws.request(1);
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            if (!paused) {
                webSocket.request(1);
            }
        }

        public static Client open(URI uri, java.util.function.Consumer<WebSocket.Builder> customize) {
            return open(uri, customize, false);
        }

        /** A client that reads nothing until {@link #startReading()}: a slow reader, or a dead peer. */
        public static Client openPaused(URI uri, java.util.function.Consumer<WebSocket.Builder> customize) {
            return open(uri, customize, true);
        }

        private static Client open(URI uri, java.util.function.Consumer<WebSocket.Builder> customize, boolean paused) {
            Client client = new Client();
            client.paused = paused;
            WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
            customize.accept(builder);
            client.ws = builder.connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(uri, client)
                    .join();
            return client;
        }

        public void send(String text) {
            ws.sendText(text, true).join();
        }

        public void send(Map<String, ?> frame) {
            send(JSON.writeValueAsString(frame));
        }

        /** The next frame (fails after 10 s). */
        public JsonNode next() {
            try {
                JsonNode frame = frames.poll(10, TimeUnit.SECONDS);
                if (frame == null) {
                    throw new AssertionError("no frame within 10 s; got so far: " + all);
                }
                return frame;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The next frame of this type, skipping others (fails after 10 s). */
        public JsonNode next(String type) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                JsonNode frame = next();
                if (frame.path("type").asString().equals(type)) {
                    return frame;
                }
            }
            throw new AssertionError("no " + type + " frame; got " + all);
        }

        /** Every frame from the next one up to and including the first of this type (each read as {@link #next()}). */
        public List<JsonNode> framesUntil(String type) {
            List<JsonNode> frames = new ArrayList<>();
            JsonNode frame;
            do {
                frame = next();
                frames.add(frame);
            } while (!frame.path("type").asString().equals(type));
            return frames;
        }

        public String connectionId(JsonNode ready) {
            return ready.path("connectionId").asString();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                JsonNode frame = JSON.readTree(partial.toString());
                partial.setLength(0);
                all.add(frame);
                frames.add(frame);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
            pings.incrementAndGet();
            return WebSocket.Listener.super.onPing(webSocket, message);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            return CompletableFuture.completedFuture(null);
        }
    }

    // ---- the stub services ----

    private static HttpServer startStub() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("localhost", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/api/v1/auth/ws-ticket/redeem", exchange -> {
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                String token = TICKETS.remove(body.path("ticket").asString());
                sendAccessToken(exchange, token);
            });
            server.createContext("/api/v1/auth/api-keys/exchange", exchange -> {
                exchange.getRequestBody().readAllBytes();
                String token =
                        API_KEYS.get(String.valueOf(exchange.getRequestHeaders().getFirst("X-API-Key")));
                sendAccessToken(exchange, token);
            });
            server.createContext(
                    "/v3/api-docs",
                    exchange -> send(
                            exchange,
                            200,
                            "application/json",
                            "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"stub service\",\"version\":\"1\"},"
                                    + "\"servers\":[{\"url\":\"http://10.1.2.3:8083\"}],\"paths\":{\"/api/v1/tools\":{}}}"));
            server.createContext("/api/v1/auth/login", exchange -> {
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                String token = ACCOUNTS.get(body.path("username").asString());
                if (token == null
                        || !body.path("password")
                                .asString()
                                .equals(ConsoleStubs.PASSWORDS.getOrDefault(
                                        body.path("username").asString(), "secret"))) {
                    send(
                            exchange,
                            401,
                            "application/problem+json",
                            "{\"status\":401,\"errorType\":\"authentication\",\"detail\":\"Wrong username or password\"}");
                } else {
                    send(
                            exchange,
                            200,
                            "application/json",
                            "{\"accessToken\":\"" + token
                                    + "\",\"refreshToken\":\"r:"
                                    + body.path("username").asString()
                                    + "\",\"tokenType\":\"Bearer\",\"expiresIn\":300}");
                }
            });
            server.createContext(
                    "/api/v1/auth/oidc/providers",
                    exchange -> send(
                            exchange,
                            200,
                            "application/json",
                            "{\"items\":[{\"id\":\"keycloak\",\"name\":\"Keycloak\"}]}"));
            // auth-service's provider redirects: the gateway must hand 302s, Location, Set-Cookie and Cookie through
            server.createContext("/api/v1/auth/oidc/stub/authorize", exchange -> {
                exchange.getResponseHeaders().add("Location", "https://idp.example/authorize?state=s1");
                exchange.getResponseHeaders()
                        .add("Set-Cookie", "agency_oidc_flow=agb_1; Path=/api/v1/auth/oidc/; HttpOnly; SameSite=Lax");
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            server.createContext("/api/v1/auth/oidc/stub/callback", exchange -> {
                OIDC_CALLBACK_COOKIES.put(
                        "last",
                        exchange.getRequestURI().getRawQuery() + " "
                                + exchange.getRequestHeaders().getFirst("Cookie"));
                exchange.getResponseHeaders().add("Location", "/console/#code=agc_1");
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
            });
            server.createContext("/api/v1/auth/oidc/exchange", exchange -> {
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                String token = SIGN_IN_CODES.remove(body.path("code").asString());
                if (token == null) {
                    send(
                            exchange,
                            401,
                            "application/problem+json",
                            "{\"status\":401,\"errorType\":\"authentication\",\"detail\":\"The sign-in code is invalid\"}");
                } else {
                    send(
                            exchange,
                            200,
                            "application/json",
                            "{\"accessToken\":\"" + token + "\",\"refreshToken\":\"r\",\"tokenType\":\"Bearer\","
                                    + "\"expiresIn\":300,\"reauthToken\":\"agra_x\"}");
                }
            });
            server.createContext("/api/v1/auth/ws-ticket", exchange -> {
                exchange.getRequestBody().readAllBytes();
                String ticket = "agt_" + UUID.randomUUID();
                TICKETS.put(
                        ticket,
                        String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"))
                                .substring(7));
                send(exchange, 200, "application/json", "{\"ticket\":\"" + ticket + "\",\"expiresIn\":60}");
            });
            server.createContext("/api/v1/conversations", RealtimeTestSupport::conversations);
            server.createContext("/api/v1/runs/", RealtimeTestSupport::runEvents);
            server.createContext("/api/v1/runs", RealtimeTestSupport::listRuns);
            server.createContext("/api/v1/workflows", RealtimeTestSupport::workflows);
            server.createContext("/hooks/", exchange -> {
                HOOK_DELIVERIES.add(new HookDelivery(
                        exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders().getFirst("Authorization"),
                        exchange.getRequestHeaders().getFirst("Agency-Signature"),
                        exchange.getRequestHeaders().getFirst("Agency-Delivery"),
                        new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
                send(exchange, 202, "application/json", "{\"runId\":\"" + UUID.randomUUID() + "\"}");
            });
            server.createContext("/api/v1/tools/", exchange -> {
                SEEN_TOKENS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                String name = exchange.getRequestURI().getPath().split("/")[4];
                JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
                if (name.equals("missing")) {
                    send(
                            exchange,
                            404,
                            "application/problem+json",
                            "{\"status\":404,\"errorType\":\"not_found\",\"detail\":\"Tool 'missing' not found\"}");
                    return;
                }
                send(
                        exchange,
                        200,
                        "application/json",
                        "{\"tool\":\"" + name + "\",\"success\":true,\"data\":"
                                + JSON.writeValueAsString(body.path("parameters")) + ",\"executionTimeMs\":1}");
            });
            ConsoleStubs.register(server);
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void conversations(HttpExchange exchange) throws IOException {
        SEEN_TOKENS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String path = exchange.getRequestURI().getPath();
        if (exchange.getRequestMethod().equals("GET") && path.endsWith("/messages")) {
            String conversation = path.split("/")[4];
            List<Map<String, String>> items = STORED_MESSAGES.getOrDefault(conversation, List.of());
            send(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("items", items)));
            return;
        }
        String caller = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        if (exchange.getRequestMethod().equals("GET") && path.equals("/api/v1/conversations")) {
            send(
                    exchange,
                    200,
                    "application/json",
                    JSON.writeValueAsString(
                            Map.of("items", ConsoleStubs.CONVERSATIONS.getOrDefault(caller, List.of()))));
            return;
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (path.equals("/api/v1/conversations")) {
            String id = UUID.randomUUID().toString();
            Map<String, Object> conversation = new java.util.HashMap<>(Map.of("id", id, "title", "Conversation"));
            if (body.hasNonNull("agentId")) {
                conversation.put("agentId", body.path("agentId").asString());
            }
            ConsoleStubs.CONVERSATIONS
                    .computeIfAbsent(caller, k -> new CopyOnWriteArrayList<>())
                    .addFirst(conversation);
            send(exchange, 201, "application/json", JSON.writeValueAsString(conversation));
            return;
        }
        String content = body.path("content").asString();
        if (content.equals("forbidden")) {
            send(
                    exchange,
                    403,
                    "application/problem+json",
                    "{\"status\":403,\"errorType\":\"authorization\",\"detail\":\"not yours\"}");
            return;
        }
        if (content.equals("shed")) { // orchestration's chat admission refusing a turn
            exchange.getResponseHeaders().set("Retry-After", "3");
            send(
                    exchange,
                    429,
                    "application/problem+json",
                    "{\"status\":429,\"errorType\":\"rate_limit\",\"detail\":\"answering as many turns as it can\"}");
            return;
        }
        String messageId = UUID.randomUUID().toString();
        if (!body.path("stream").asBoolean()) {
            send(
                    exchange,
                    200,
                    "application/json",
                    "{\"message\":{\"id\":\"" + messageId
                            + "\",\"role\":\"assistant\",\"content\":\"echo: " + content
                            + "\",\"toolCalls\":[],\"memoriesUsed\":[]}}");
            return;
        }
        // SSE: start, one token per word (after the first, each waits for a permit when the content starts with
        // "gated"), end
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        if (content.startsWith("flood ")) {
            int n = Integer.parseInt(content.substring(6));
            String big = "z".repeat(8192);
            try (OutputStream out = exchange.getResponseBody()) {
                event(out, "start", 1, "{\"messageId\":\"" + messageId + "\"}");
                for (int i = 0; i < n; i++) {
                    event(out, "token", i + 2, "{\"text\":\"" + big + "\"}");
                }
                event(out, "end", n + 2, "{\"messageId\":\"" + messageId + "\",\"usage\":null}");
            } catch (IOException e) {
                STREAMS_CLOSED_EARLY.incrementAndGet();
            }
            return;
        }
        boolean gated = content.startsWith("gated");
        String[] words = content.split(" ");
        int id = 0;
        try (OutputStream out = exchange.getResponseBody()) {
            event(out, "start", ++id, "{\"messageId\":\"" + messageId + "\"}");
            for (int i = 0; i < words.length; i++) {
                if (gated && i > 0 && !gate(content).tryAcquire(20, TimeUnit.SECONDS)) {
                    return;
                }
                event(out, "token", ++id, "{\"text\":\"" + words[i] + "\"}");
                if (words[i].equals("tool")) {
                    event(out, "tool_call", ++id, "{\"id\":\"c1\",\"name\":\"calculator\",\"parameters\":{}}");
                }
                if (words[i].equals("recall")) { // the turn's memory recall
                    event(
                            out,
                            "memory",
                            ++id,
                            "{\"used\":[{\"id\":\"m1\",\"memory\":\"likes tea\"}],\"available\":true}");
                }
                if (words[i].equals("calc")) { // a tool call and its result
                    event(
                            out,
                            "tool_call",
                            ++id,
                            "{\"id\":\"c7\",\"name\":\"calculator\",\"parameters\":{\"expression\":\"17*23\"}}");
                    event(out, "tool_result", ++id, "{\"id\":\"c7\",\"success\":true,\"data\":{\"result\":391.0}}");
                }
                if (words[i].equals("busy")) { // a tool call that could not run
                    event(
                            out,
                            "degraded",
                            ++id,
                            "{\"skipped\":[\"tools\"],\"reason\":\"tool calculator could not run (rate_limit)\"}");
                }
            }
            if (content.contains("fail")) {
                event(out, "error", ++id, "{\"errorType\":\"service_unavailable\",\"message\":\"model down\"}");
            } else {
                event(
                        out,
                        "end",
                        ++id,
                        "{\"messageId\":\"" + messageId + "\",\"usage\":{\"outputTokens\":" + words.length + "}}");
            }
        } catch (IOException e) {
            STREAMS_CLOSED_EARLY.incrementAndGet();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void workflows(HttpExchange exchange) throws IOException {
        String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        String[] parts = exchange.getRequestURI().getPath().split("/"); // "", api, v1, workflows[, {id}, runs]
        if (parts.length == 4 && exchange.getRequestMethod().equals("GET")) {
            List<Map<String, String>> items = new ArrayList<>();
            WORKFLOWS.forEach((id, w) -> {
                if (authorization.equals("Bearer " + w.ownerToken())) {
                    items.add(Map.of("id", id, "name", w.name()));
                }
            });
            send(exchange, 200, "application/json", JSON.writeValueAsString(Map.of("items", items, "nextCursor", "")));
            return;
        }
        if (parts.length == 5 && exchange.getRequestMethod().equals("GET")) {
            StubWorkflow one = WORKFLOWS.get(parts[4]);
            if (one != null && authorization.equals("Bearer " + one.ownerToken())) {
                ConsoleStubs.workflow(exchange, parts[4], one);
                return;
            }
        }
        StubWorkflow workflow = parts.length == 6
                        && parts[5].equals("runs")
                        && exchange.getRequestMethod().equals("POST")
                ? WORKFLOWS.get(parts[4])
                : null;
        if (workflow == null || !authorization.equals("Bearer " + workflow.ownerToken())) {
            send(
                    exchange,
                    404,
                    "application/problem+json",
                    "{\"status\":404,\"errorType\":\"not_found\",\"detail\":\"Workflow not found\"}");
            return;
        }
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        String runId = UUID.randomUUID().toString();
        RUN_INPUTS.put(runId, body.path("input"));
        listRun(
                runId,
                parts[4],
                new StubRun(
                        workflow.ownerToken(),
                        new CopyOnWriteArrayList<>(workflow.events()),
                        workflow.holdFrom(),
                        workflow.keepOpen(),
                        workflow.gate()));
        send(exchange, 202, "application/json", "{\"runId\":\"" + runId + "\",\"status\":\"queued\"}");
    }

    /** The run's status as orchestration would give it: from its last event. */
    static String statusOf(StubRun run) {
        if (run.events().isEmpty()) {
            return "queued";
        }
        String last = run.events().getLast()[0];
        return List.of("run.succeeded", "run.failed", "run.cancelled").contains(last)
                ? last.substring(4)
                : last.equals("step.waiting_approval") ? "waiting_approval" : "running";
    }

    private static void listRuns(HttpExchange exchange) throws IOException {
        String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
        if (!exchange.getRequestURI().getPath().equals("/api/v1/runs")
                || !exchange.getRequestMethod().equals("GET")) {
            send(exchange, 404, "application/problem+json", "{\"status\":404,\"errorType\":\"not_found\"}");
            return;
        }
        List<Map<String, Object>> items = new ArrayList<>();
        RUN_LISTING.entrySet().stream()
                .sorted((a, b) -> Long.compare((Long) b.getValue()[1], (Long) a.getValue()[1]))
                .forEach(e -> {
                    StubRun run = RUNS.get(e.getKey());
                    if (run != null && authorization.equals("Bearer " + run.ownerToken())) {
                        items.add(Map.of(
                                "id",
                                e.getKey(),
                                "workflowId",
                                e.getValue()[0],
                                "status",
                                statusOf(run),
                                "progress",
                                0.5));
                    }
                });
        send(
                exchange,
                200,
                "application/json",
                JSON.writeValueAsString(
                        Map.of("items", items.subList(0, Math.min(20, items.size())), "nextCursor", "")));
    }

    /**
     * {@code POST …/cancel} and {@code POST …/steps/{stepId}/approval}: recorded in {@link #RUN_ACTIONS}; a decision
     * on the step the run waits for, or a cancel of a run not over, appends the events orchestration would write.
     */
    private static void runAction(HttpExchange exchange, String runId, StubRun run, String[] parts) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        byte[] raw = exchange.getRequestBody().readAllBytes();
        JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
        String status = statusOf(run);
        boolean over = List.of("succeeded", "failed", "cancelled").contains(status);
        if (parts[5].equals("cancel")) {
            RUN_ACTIONS.add(new RunAction(runId, "cancel", null, authorization, body));
            if (!over) {
                run.events().add(new String[] {"run.cancelled", "{\"status\":\"cancelled\",\"progress\":0.5}"});
            }
        } else {
            String stepId = parts[6];
            RUN_ACTIONS.add(new RunAction(runId, "approval", stepId, authorization, body));
            String[] last = run.events().isEmpty() ? null : run.events().getLast();
            if (last == null
                    || !last[0].equals("step.waiting_approval")
                    || !JSON.readTree(last[1]).path("stepId").asString().equals(stepId)) {
                send(
                        exchange,
                        409,
                        "application/problem+json",
                        "{\"status\":409,\"errorType\":\"conflict\",\"detail\":\"Step '" + stepId
                                + "' is not waiting for approval\"}");
                return;
            }
            String comment = body.path("comment").asString("");
            if (body.path("approved").asBoolean()) {
                String output = "{\"approved\":true,\"comment\":" + JSON.writeValueAsString(comment) + "}";
                run.events().add(new String[] {
                    "step.succeeded", "{\"stepId\":\"" + stepId + "\",\"attempt\":1,\"output\":" + output + "}"
                });
                run.events().add(new String[] {
                    "run.succeeded", "{\"status\":\"succeeded\",\"progress\":1.0,\"output\":" + output + "}"
                });
            } else {
                String error =
                        JSON.writeValueAsString(Map.of("stepId", stepId, "errorType", "rejected", "message", comment));
                run.events().add(new String[] {
                    "step.failed",
                    "{\"stepId\":\"" + stepId + "\",\"attempt\":1,\"willRetry\":false,\"error\":" + error + "}"
                });
                run.events().add(new String[] {"run.failed", "{\"status\":\"failed\",\"error\":" + error + "}"});
            }
        }
        send(exchange, 200, "application/json", "{\"id\":\"" + runId + "\",\"status\":\"" + statusOf(run) + "\"}");
    }

    private static void runEvents(HttpExchange exchange) throws IOException {
        // "", api, v1, runs, {id}[, events | cancel | steps, {stepId}, approval]
        String[] parts = exchange.getRequestURI().getPath().split("/");
        boolean events = parts.length == 6 && parts[5].equals("events");
        boolean action = exchange.getRequestMethod().equals("POST")
                && ((parts.length == 6 && parts[5].equals("cancel"))
                        || (parts.length == 8 && parts[5].equals("steps") && parts[7].equals("approval")));
        StubRun run = events || action || parts.length == 5 ? RUNS.get(parts[4]) : null;
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (run == null || !("Bearer " + run.ownerToken()).equals(authorization)) {
            send(
                    exchange,
                    404,
                    "application/problem+json",
                    "{\"status\":404,\"errorType\":\"not_found\",\"detail\":\"Run not found\"}");
            return;
        }
        String runId = parts[4];
        if (action) {
            runAction(exchange, runId, run, parts);
            return;
        }
        if (!events) { // the run: over when its last event is a final one
            send(exchange, 200, "application/json", "{\"id\":\"" + runId + "\",\"status\":\"" + statusOf(run) + "\"}");
            return;
        }
        String lastEventId = exchange.getRequestHeaders().getFirst("Last-Event-ID");
        RUN_LAST_EVENT_IDS.put(runId, lastEventId == null ? "" : lastEventId);
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            int i = lastEventId == null ? 0 : Integer.parseInt(lastEventId);
            for (; i < run.events().size(); i++) {
                if (i >= run.holdFrom() && !run.gate().tryAcquire(20, TimeUnit.SECONDS)) {
                    return;
                }
                event(out, run.events().get(i)[0], i + 1, run.events().get(i)[1]);
            }
            for (int k = 0; run.keepOpen() && k < 400; k++) {
                for (; i < run.events().size(); i++) { // appended by an approval or cancel meanwhile
                    event(out, run.events().get(i)[0], i + 1, run.events().get(i)[1]);
                }
                out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                Thread.sleep(50);
            }
        } catch (IOException e) {
            RUN_STREAMS_CLOSED.add(runId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void event(OutputStream out, String name, int id, String data) throws IOException {
        out.write(("event: " + name + "\nid: " + id + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    /** auth-service's answer to a ticket redemption or key exchange: the access token, or 401 when there is none. */
    private static void sendAccessToken(HttpExchange exchange, String token) throws IOException {
        if (token == null) {
            send(exchange, 401, "application/problem+json", "{\"status\":401,\"errorType\":\"authentication\"}");
        } else {
            send(
                    exchange,
                    200,
                    "application/json",
                    "{\"accessToken\":\"" + token + "\",\"tokenType\":\"Bearer\",\"expiresIn\":300}");
        }
    }
}
