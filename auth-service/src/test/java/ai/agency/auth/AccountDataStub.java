package ai.agency.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The other services' {@code /internal/account-data} endpoints as auth-service's jobs call them, on a real local
 * HTTP server: each service (a path prefix) holds "notes" per user, exports them as NDJSON of kind {@code notes},
 * erases them, and can be made to fail (503) a number of times. Every job token it receives is kept (its claims).
 */
public final class AccountDataStub {

    public static final List<String> SERVICES =
            List.of("memory-service", "tool-service", "orchestration-service", "realtime-gateway");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final AccountDataStub SHARED = new AccountDataStub();

    /** The claims of every token received, in order. */
    public final List<JsonNode> tokens = new CopyOnWriteArrayList<>();
    /** How many more calls to a service fail with 503. */
    public final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    /** DELETEs each service received, by user. */
    public final Map<String, AtomicInteger> erasures = new ConcurrentHashMap<>();

    private final Map<String, List<String>> notes = new ConcurrentHashMap<>();
    private final HttpServer server;

    private AccountDataStub() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    public static AccountDataStub shared() {
        return SHARED;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public void note(String service, UUID user, String text) {
        notes.computeIfAbsent(service + " " + user, k -> new CopyOnWriteArrayList<>())
                .add(text);
    }

    public List<String> notes(String service, UUID user) {
        return notes.getOrDefault(service + " " + user, List.of());
    }

    public void failNext(String service, int times) {
        failures.computeIfAbsent(service, s -> new AtomicInteger()).set(times);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String[] path = exchange.getRequestURI().getPath().split("/", 3); // "", service, rest
            String service = path[1];
            String rest = "/" + path[2];
            JsonNode claims = claims(exchange.getRequestHeaders().getFirst("Authorization"));
            if (claims == null) {
                reply(exchange, 401, "{}");
                return;
            }
            tokens.add(claims);
            if (!"account_data".equals(claims.path("scope").asString())) {
                reply(exchange, 403, "{}");
                return;
            }
            AtomicInteger failing = failures.get(service);
            if (failing != null && failing.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                reply(exchange, 503, "{\"detail\":\"down for the test\"}");
                return;
            }
            UUID user = UUID.fromString(claims.path("sub").asString());
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && rest.equals("/internal/account-data/kinds")) {
                reply(exchange, 200, "{\"service\":\"" + service + "\",\"kinds\":[\"notes\"]}");
            } else if (method.equals("GET") && rest.equals("/internal/account-data/export/notes")) {
                StringBuilder lines = new StringBuilder();
                for (String note : notes(service, user)) {
                    lines.append(JSON.writeValueAsString(Map.of("text", note))).append('\n');
                }
                reply(exchange, 200, lines.toString());
            } else if (method.equals("DELETE") && rest.equals("/internal/account-data")) {
                List<String> removed = notes.remove(service + " " + user);
                erasures.computeIfAbsent(service + " " + user, k -> new AtomicInteger())
                        .incrementAndGet();
                reply(
                        exchange,
                        200,
                        "{\"service\":\"" + service + "\",\"erased\":{\"notes\":"
                                + (removed == null ? 0 : removed.size()) + "}}");
            } else {
                reply(exchange, 404, "{}");
            }
        }
    }

    private static JsonNode claims(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        String[] parts = authorization.substring(7).split("\\.");
        return parts.length < 2 ? null : JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
