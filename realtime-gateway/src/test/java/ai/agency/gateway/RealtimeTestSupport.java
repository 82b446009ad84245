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
            "agency.gateway.realtime.rate-per-second=5"
        })
@DatabaseTest
public abstract class RealtimeTestSupport {

    public static final TestJwts JWTS = TestJwts.create();
    public static final JsonMapper JSON = JsonMapper.builder().build();
    /** Tickets auth-service would redeem, once each: ticket → access token. */
    public static final Map<String, String> TICKETS = new ConcurrentHashMap<>();
    /** Authorization headers the stub services saw. */
    public static final List<String> SEEN_TOKENS = new CopyOnWriteArrayList<>();
    /** Per gated stream (by its content): each permit lets it send one more token. */
    static final Map<String, Semaphore> GATES = new ConcurrentHashMap<>();

    public static Semaphore gate(String content) {
        return GATES.computeIfAbsent(content, k -> new Semaphore(0));
    }

    public static final AtomicInteger STREAMS_CLOSED_EARLY = new AtomicInteger();
    static final HttpServer STUB = startStub();

    @LocalServerPort
    protected int port;

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
    }

    protected URI wsUri() {
        return URI.create("ws://localhost:" + port + "/ws");
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

        public static Client open(URI uri, java.util.function.Consumer<WebSocket.Builder> customize) {
            Client client = new Client();
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
                if (token == null) {
                    send(
                            exchange,
                            401,
                            "application/problem+json",
                            "{\"status\":401,\"errorType\":\"authentication\"}");
                } else {
                    send(
                            exchange,
                            200,
                            "application/json",
                            "{\"accessToken\":\"" + token + "\",\"tokenType\":\"Bearer\",\"expiresIn\":300}");
                }
            });
            server.createContext("/api/v1/conversations", RealtimeTestSupport::conversations);
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
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void conversations(HttpExchange exchange) throws IOException {
        SEEN_TOKENS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String path = exchange.getRequestURI().getPath();
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        if (path.equals("/api/v1/conversations")) {
            send(exchange, 201, "application/json", "{\"id\":\"" + UUID.randomUUID() + "\",\"agentId\":null}");
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
}
