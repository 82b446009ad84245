package ai.agency.orchestration;

import static ai.agency.orchestration.StubHttp.subject;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Real HTTP servers outside our system that the chat loop talks to, on one JDK {@link HttpServer}: LLM providers that
 * answer from a script in their own wire format ({@code /ollama/api/chat}, {@code /anthropic/v1/messages}) and
 * auth-service's profile endpoint ({@code /auth/api/v1/users/me}). Every request is recorded.
 */
public final class FakeUpstreams {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * One scripted answer: status, extra headers, content type and the body in frames written one after another
     * (flushed, {@code pauseMillis} apart), so a streaming provider can be slow.
     */
    public record Answer(
            int status, Map<String, String> headers, String contentType, List<String> frames, long pauseMillis) {

        public static Answer json(int status, String body) {
            return new Answer(status, Map.of(), "application/json", List.of(body), 0);
        }

        public static Answer stream(String contentType, List<String> frames) {
            return new Answer(200, Map.of(), contentType, frames, 0);
        }

        public Answer withHeader(String name, String value) {
            Map<String, String> more = new java.util.LinkedHashMap<>(headers);
            more.put(name, value);
            return new Answer(status, more, contentType, frames, pauseMillis);
        }

        public Answer slowly(long millis) {
            return new Answer(status, headers, contentType, frames, millis);
        }
    }

    /** A request as the server received it. */
    public record Received(String path, Map<String, List<String>> headers, JsonNode body) {

        public String header(String name) {
            return headers.entrySet().stream()
                    .filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst())
                    .findFirst()
                    .orElse(null);
        }
    }

    /** Scripted answers by path ({@code /ollama/api/chat}, ...); an unscripted call gets a 500. */
    public static final Map<String, BlockingQueue<Answer>> SCRIPTS = new ConcurrentHashMap<>();
    /** Every request, in arrival order. */
    public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    /** Frames actually written to a client of a streaming answer, by path (to see where a cancel stopped it). */
    public static final Map<String, java.util.concurrent.atomic.AtomicInteger> WRITTEN = new ConcurrentHashMap<>();

    /** Paths whose client closed the connection while a streaming answer was being written. */
    public static final java.util.Set<String> HUNG_UP = ConcurrentHashMap.newKeySet();

    /** auth-service's {@code GET /api/v1/users/me} answers, by user id (the token's subject). */
    public static final Map<String, String> PROFILES = new ConcurrentHashMap<>();

    public static final AtomicBoolean AUTH_DOWN = new AtomicBoolean();

    private static final HttpServer SERVER = start();

    private FakeUpstreams() {}

    public static String url() {
        return "http://127.0.0.1:" + SERVER.getAddress().getPort();
    }

    public static void script(String path, Answer... answers) {
        SCRIPTS.computeIfAbsent(path, p -> new LinkedBlockingQueue<>()).addAll(List.of(answers));
    }

    public static List<Received> received(String path) {
        return RECEIVED.stream().filter(r -> r.path().equals(path)).toList();
    }

    public static void reset() {
        SCRIPTS.clear();
        RECEIVED.clear();
        WRITTEN.clear();
        HUNG_UP.clear();
    }

    private static HttpServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", FakeUpstreams::handle);
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/auth/api/v1/auth/api-keys")) {
                // workflow runs' API keys (issue, exchange, revoke): the stateful stub the workflow tests use
                AuthStub.handle(exchange);
                return;
            }
            String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode body = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            RECEIVED.add(new Received(path, Map.copyOf(exchange.getRequestHeaders()), body));
            if (path.equals("/auth/api/v1/users/me")) {
                profile(exchange);
                return;
            }
            BlockingQueue<Answer> queue = SCRIPTS.get(path);
            Answer answer = queue == null ? null : queue.poll();
            if (answer == null) {
                answer = Answer.json(500, "{\"error\":{\"type\":\"api_error\",\"message\":\"no scripted answer\"}}");
            }
            write(exchange, path, answer);
        }
    }

    private static void profile(HttpExchange exchange) throws IOException {
        if (AUTH_DOWN.get()) {
            write(exchange, "auth", Answer.json(503, "{\"status\":503,\"errorType\":\"service_unavailable\"}"));
            return;
        }
        String user = subject(exchange.getRequestHeaders().getFirst("Authorization"));
        String profile = user == null ? null : PROFILES.get(user);
        if (profile == null) {
            write(exchange, "auth", Answer.json(404, "{\"status\":404,\"errorType\":\"not_found\"}"));
            return;
        }
        write(exchange, "auth", Answer.json(200, profile));
    }

    private static void write(HttpExchange exchange, String path, Answer answer) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", answer.contentType());
        answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(answer.status(), 0);
        OutputStream out = exchange.getResponseBody();
        java.util.concurrent.atomic.AtomicInteger written =
                WRITTEN.computeIfAbsent(path, p -> new java.util.concurrent.atomic.AtomicInteger());
        for (String frame : answer.frames()) {
            if (answer.pauseMillis() > 0) {
                try {
                    Thread.sleep(answer.pauseMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            try {
                out.write(frame.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException gone) {
                HUNG_UP.add(path);
                return;
            }
            written.incrementAndGet();
        }
    }
}
