package ai.agency.orchestration;

import static ai.agency.orchestration.StubHttp.problem;
import static ai.agency.orchestration.StubHttp.reply;
import static ai.agency.orchestration.StubHttp.subject;

import ai.agency.common.testsupport.TestJwts;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * auth-service's API-key contract, as the shared stub server plays it under {@code /auth}: {@code POST
 * /api/v1/auth/api-keys} (needs a valid bearer token; issues {@code agk_…}), {@code POST
 * /api/v1/auth/api-keys/exchange} ({@code X-API-Key} → a 15-minute access token of the key's owner with the role
 * {@code user}, or 401 for an unknown or revoked key) and {@code DELETE /api/v1/auth/api-keys/{id}} (the owner's
 * token; 404 for someone else's key).
 */
public final class AuthStub {

    /** A key as the stub keeps it. */
    public record Key(UUID id, UUID userId, String name, String secret, List<String> scopes) {}

    public static final Map<UUID, Key> KEYS = new ConcurrentHashMap<>();
    public static final Set<UUID> REVOKED = ConcurrentHashMap.newKeySet();
    /** How many tokens each key was exchanged for. */
    public static final Map<UUID, Integer> EXCHANGES = new ConcurrentHashMap<>();
    /** Answers 503 to everything while set. */
    public static final AtomicBoolean DOWN = new AtomicBoolean();

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TestJwts ISSUER = TestJwts.create();

    private AuthStub() {}

    /** The key issued for a name, if any. */
    public static Key named(String name) {
        return KEYS.values().stream()
                .filter(k -> k.name().equals(name))
                .findFirst()
                .orElse(null);
    }

    /** Answers one request whose path starts with {@code /auth/} (any stub server can route those here). */
    public static void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode body = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        handle(exchange, path, body, subject(exchange.getRequestHeaders().getFirst("Authorization")));
    }

    private static void handle(HttpExchange exchange, String path, JsonNode body, String user) throws IOException {
        if (DOWN.get()) {
            reply(exchange, 503, problem(503, "service_unavailable", "auth stub stopped by the test"));
            return;
        }
        String method = exchange.getRequestMethod();
        if (path.equals("/auth/api/v1/auth/api-keys/exchange") && method.equals("POST")) {
            String secret = exchange.getRequestHeaders().getFirst("X-API-Key");
            Key key = KEYS.values().stream()
                    .filter(k -> k.secret().equals(secret) && !REVOKED.contains(k.id()))
                    .findFirst()
                    .orElse(null);
            if (key == null) {
                reply(exchange, 401, problem(401, "authentication", "The API key is invalid or revoked"));
                return;
            }
            EXCHANGES.merge(key.id(), 1, Integer::sum);
            String token = ISSUER.token(key.userId(), List.of("user"), Duration.ofMinutes(15));
            reply(
                    exchange,
                    200,
                    JSON.writeValueAsString(Map.of("accessToken", token, "tokenType", "Bearer", "expiresIn", 900)));
            return;
        }
        if (user == null) {
            reply(exchange, 401, problem(401, "authentication", "no valid bearer token"));
            return;
        }
        if (path.equals("/auth/api/v1/auth/api-keys") && method.equals("POST")) {
            byte[] random = new byte[32];
            new java.security.SecureRandom().nextBytes(random);
            List<String> scopes = new java.util.ArrayList<>();
            body.path("scopes").forEach(s -> scopes.add(s.asString()));
            Key key = new Key(
                    UUID.randomUUID(),
                    UUID.fromString(user),
                    body.path("name").asString(),
                    "agk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random),
                    scopes);
            KEYS.put(key.id(), key);
            reply(
                    exchange,
                    201,
                    JSON.writeValueAsString(
                            Map.of("id", key.id(), "name", key.name(), "key", key.secret(), "scopes", key.scopes())));
            return;
        }
        if (path.startsWith("/auth/api/v1/auth/api-keys/") && method.equals("DELETE")) {
            UUID id = UUID.fromString(path.substring("/auth/api/v1/auth/api-keys/".length()));
            Key key = KEYS.get(id);
            if (key == null || !key.userId().toString().equals(user) || !REVOKED.add(id)) {
                reply(exchange, 404, problem(404, "not_found", "API key " + id + " not found"));
                return;
            }
            exchange.sendResponseHeaders(204, -1);
            return;
        }
        reply(exchange, 404, problem(404, "not_found", "no such stub path " + path));
    }
}
