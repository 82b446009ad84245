package ai.agency.common.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * auth-service's usage endpoints as the recording services call them, on a real local HTTP server: {@code POST
 * /internal/usage/events} (the relay's batches, recorded; answered with {@link #ingestStatus}) and {@code GET
 * /api/v1/usage/quotas} (the quota state set with {@link #quota}, by the bearer token's subject). Point a service at
 * it with {@code agency.usage.owner-url=}{@link #url()} and {@code agency.usage.ingest-secret=}{@link #SECRET}; like
 * the real owner, the ingest refuses a batch without that secret (401, nothing recorded).
 */
public final class UsageOwnerStub {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final UsageOwnerStub SHARED = new UsageOwnerStub();

    /** The ingest secret the stub expects in {@code Agency-Usage-Secret}. */
    public static final String SECRET = "usage-owner-stub-secret-0123456789";

    /** Every event delivered, in order (duplicates included). */
    public final List<JsonNode> events = new CopyOnWriteArrayList<>();
    /** The status the ingest answers; a non-2xx one leaves the batch in the relay's outbox. */
    public final AtomicInteger ingestStatus = new AtomicInteger(200);

    private final Map<String, ObjectNode> quotas = new ConcurrentHashMap<>();
    private final HttpServer server;

    private UsageOwnerStub() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The one stub of the test JVM. */
    public static UsageOwnerStub shared() {
        return SHARED;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The events delivered for a user. */
    public List<JsonNode> eventsOf(UUID userId) {
        return events.stream()
                .filter(e -> e.path("userId").asString().equals(userId.toString()))
                .toList();
    }

    /** Sets one quota of the user's state ({@code resetsAt} may be null). */
    public void quota(UUID userId, String name, long limit, long used, Instant resetsAt) {
        ObjectNode quota =
                JSON.createObjectNode().put("name", name).put("limit", limit).put("used", used);
        if (resetsAt != null) {
            quota.put("resetsAt", resetsAt.toString());
        } else {
            quota.putNull("resetsAt");
        }
        quotas.put(userId + " " + name, quota);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (path.equals("/internal/usage/events")
                    && exchange.getRequestMethod().equals("POST")) {
                int status = SECRET.equals(exchange.getRequestHeaders().getFirst("Agency-Usage-Secret"))
                        ? ingestStatus.get()
                        : 401;
                if (status / 100 == 2) {
                    JSON.readTree(body).path("events").forEach(events::add);
                }
                reply(exchange, status, "{}");
            } else if (path.equals("/api/v1/usage/quotas")) {
                String subject = subject(exchange.getRequestHeaders().getFirst("Authorization"));
                ArrayNode list = JSON.createArrayNode();
                quotas.forEach((key, quota) -> {
                    if (key.startsWith(subject + " ")) {
                        list.add(quota);
                    }
                });
                reply(exchange, 200, JSON.writeValueAsString(Map.of("quotas", list)));
            } else {
                reply(exchange, 404, "{}");
            }
        }
    }

    private static String subject(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "?";
        }
        String[] parts = authorization.substring(7).split("\\.");
        if (parts.length < 2) {
            return "?";
        }
        return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]))
                .path("sub")
                .asString();
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
