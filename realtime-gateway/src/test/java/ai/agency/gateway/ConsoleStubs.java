package ai.agency.gateway;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The parts of auth-, memory-, tool- and orchestration-service the web console uses beyond the realtime tests' own
 * stubs: sign-up, token refresh, account, API keys, agents with versions, the tool registry, memory search, edit and
 * history, a workflow's definition, usage and the admin pages. Each answers its owner only (by the bearer token).
 */
public final class ConsoleStubs {

    private ConsoleStubs() {}

    static final tools.jackson.databind.json.JsonMapper JSON = RealtimeTestSupport.JSON;

    /** Passwords of accounts made by sign-up (others sign in with "secret"): username → password. */
    public static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();
    /** Username of each account's access token (for {@code GET /api/v1/users/me}). */
    public static final Map<String, String> USERNAMES = new ConcurrentHashMap<>();
    /** Agents: id → the agent as orchestration would answer it, plus "owner" (the Authorization header). */
    public static final Map<String, ObjectNode> AGENTS = new ConcurrentHashMap<>();
    /** Versions of each agent, oldest first: agent id → versions. */
    public static final Map<String, List<ObjectNode>> AGENT_VERSIONS = new ConcurrentHashMap<>();
    /** Conversations orchestration lists: Authorization → conversations ({id, agentId, title, createdAt}). */
    public static final Map<String, List<Map<String, Object>>> CONVERSATIONS = new ConcurrentHashMap<>();
    /** Tags of memories in {@link RealtimeTestSupport#MEMORIES}: id → tags. */
    public static final Map<String, List<String>> MEMORY_TAGS = new ConcurrentHashMap<>();
    /** History of each memory, oldest first: id → events. */
    public static final Map<String, List<Map<String, Object>>> MEMORY_HISTORY = new ConcurrentHashMap<>();
    /** Steps of workflows (JSON array); a workflow without is derived from its events, one step after another. */
    public static final Map<String, String> WORKFLOW_STEPS = new ConcurrentHashMap<>();
    /** Usage per day: Authorization → days JSON array. */
    public static final Map<String, String> USAGE = new ConcurrentHashMap<>();
    /** The query strings of the admin usage calls the console made. */
    public static final List<String> ADMIN_USAGE_QUERIES = new CopyOnWriteArrayList<>();
    /** API keys made through the console: Authorization → keys ({id, name, scopes}). */
    public static final Map<String, List<Map<String, Object>>> KEYS = new ConcurrentHashMap<>();
    /** Password changes ({@code currentPassword → newPassword}) and logout-all calls, by Authorization. */
    public static final List<String> ACCOUNT_ACTIONS = new CopyOnWriteArrayList<>();
    /** What {@code POST /api/v1/auth/refresh} answers for the login's refresh token ("r:" + username): username → token. */
    public static final Map<String, String> FRESH_TOKENS = new ConcurrentHashMap<>();
    /** The refresh tokens the refresh stub was given. */
    public static final List<String> REFRESHES = new CopyOnWriteArrayList<>();
    /** Role changes the admin stub received: user id → roles. */
    public static final Map<String, JsonNode> ROLE_CHANGES = new ConcurrentHashMap<>();

    static void register(HttpServer server) {
        server.createContext("/api/v1/auth/register", ConsoleStubs::register);
        server.createContext("/api/v1/auth/api-keys", ConsoleStubs::apiKeys);
        server.createContext("/api/v1/auth/refresh", exchange -> {
            String refreshToken = body(exchange).path("refreshToken").asString();
            REFRESHES.add(refreshToken);
            String token = refreshToken.startsWith("r:") ? FRESH_TOKENS.remove(refreshToken.substring(2)) : null;
            if (token == null) {
                problem(exchange, 401, "The refresh token is not valid");
            } else {
                json(exchange, 200, Map.of("accessToken", token, "refreshToken", refreshToken, "tokenType", "Bearer"));
            }
        });
        server.createContext("/api/v1/auth/logout-all", exchange -> {
            ACCOUNT_ACTIONS.add("logout-all " + auth(exchange));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/api/v1/users/me", ConsoleStubs::me);
        server.createContext("/api/v1/admin/", ConsoleStubs::admin);
        server.createContext(
                "/api/v1/usage",
                exchange -> json(
                        exchange,
                        200,
                        Map.of(
                                "days",
                                JSON.readTree(USAGE.getOrDefault(auth(exchange), "[]")),
                                "quotas",
                                List.of(Map.of("name", "tokens per day", "limit", 100000, "used", 1200)))));
        server.createContext(
                "/api/v1/tools",
                exchange -> json(
                        exchange,
                        200,
                        Map.of(
                                "items",
                                List.of(
                                        Map.of(
                                                "name",
                                                "calculator",
                                                "description",
                                                "Evaluates arithmetic",
                                                "enabled",
                                                true),
                                        Map.of("name", "current_time", "description", "The time now", "enabled", true),
                                        Map.of(
                                                "name",
                                                "search_memory",
                                                "description",
                                                "Searches memories",
                                                "enabled",
                                                true)))));
        server.createContext("/api/v1/agents", ConsoleStubs::agents);
        server.createContext("/api/v1/memories", ConsoleStubs::memories);
    }

    private static void register(HttpExchange exchange) throws IOException {
        JsonNode body = body(exchange);
        String username = body.path("username").asString();
        if (!username.matches("[a-zA-Z0-9_.-]{3,32}")
                || body.path("password").asString().length() < 10) {
            send(
                    exchange,
                    400,
                    "application/problem+json",
                    "{\"status\":400,\"errorType\":\"validation\",\"detail\":\"Invalid request\","
                            + "\"errors\":[{\"field\":\"password\",\"message\":\"at least 10 characters\"}]}");
            return;
        }
        if (RealtimeTestSupport.ACCOUNTS.containsKey(username)) {
            problem(exchange, 409, "Username already taken");
            return;
        }
        UUID id = UUID.randomUUID();
        String token = RealtimeTestSupport.JWTS.user(id);
        PASSWORDS.put(username, body.path("password").asString());
        USERNAMES.put(token, username);
        RealtimeTestSupport.ACCOUNTS.put(username, token);
        json(exchange, 201, Map.of("id", id.toString(), "username", username, "roles", List.of("user")));
    }

    private static void me(HttpExchange exchange) throws IOException {
        String auth = auth(exchange);
        if (exchange.getRequestURI().getPath().endsWith("/password")) {
            JsonNode body = body(exchange);
            String username = USERNAMES.getOrDefault(auth.substring(7), "");
            if (!body.path("currentPassword").asString().equals(PASSWORDS.getOrDefault(username, "secret"))) {
                problem(exchange, 403, "The password does not confirm this change: wrong");
                return;
            }
            PASSWORDS.put(username, body.path("newPassword").asString());
            ACCOUNT_ACTIONS.add("password " + auth);
            json(exchange, 200, Map.of("accessToken", auth.substring(7), "refreshToken", "r2", "tokenType", "Bearer"));
            return;
        }
        json(
                exchange,
                200,
                Map.of(
                        "id", UUID.randomUUID().toString(),
                        "username", USERNAMES.getOrDefault(auth.substring(7), "someone"),
                        "email", "someone@example.com",
                        "roles", List.of("user"),
                        "createdAt", "2026-12-01T10:00:00Z"));
    }

    private static void apiKeys(HttpExchange exchange) throws IOException {
        List<Map<String, Object>> keys = KEYS.computeIfAbsent(auth(exchange), k -> new CopyOnWriteArrayList<>());
        String method = exchange.getRequestMethod();
        if (method.equals("POST")) {
            JsonNode body = body(exchange);
            String id = UUID.randomUUID().toString();
            List<String> scopes = new ArrayList<>();
            body.path("scopes").forEach(s -> scopes.add(s.asString()));
            keys.add(Map.of("id", id, "name", body.path("name").asString(), "scopes", scopes));
            json(exchange, 201, Map.of("id", id, "name", body.path("name").asString(), "key", "agk_" + id));
        } else if (method.equals("DELETE")) {
            String path = exchange.getRequestURI().getPath();
            String id = path.substring(path.lastIndexOf('/') + 1);
            if (!keys.removeIf(k -> k.get("id").equals(id))) {
                problem(exchange, 404, "API key not found");
                return;
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        } else {
            json(exchange, 200, Map.of("items", keys));
        }
    }

    private static void admin(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith("/api/v1/admin/users/") && path.endsWith("/roles")) {
            ROLE_CHANGES.put(path.split("/")[5], body(exchange).path("roles"));
            json(exchange, 200, Map.of("id", path.split("/")[5]));
        } else if (path.equals("/api/v1/admin/users")) {
            json(
                    exchange,
                    200,
                    Map.of(
                            "items",
                            List.of(
                                    Map.of("id", "u-1", "username", "ada", "roles", List.of("admin", "user")),
                                    Map.of("id", "u-2", "username", "bob", "roles", List.of("user")))));
        } else if (path.equals("/api/v1/admin/usage")) {
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            String userId = query.replaceAll(".*userId=([^&]*).*", "$1");
            ADMIN_USAGE_QUERIES.add(query);
            json(
                    exchange,
                    200,
                    Map.of(
                            "userId",
                            userId,
                            "days",
                            JSON.readTree(USAGE.getOrDefault("user:" + userId, "[]")),
                            "quotas",
                            List.of()));
        } else if (path.equals("/api/v1/admin/audit")) {
            json(
                    exchange,
                    200,
                    Map.of(
                            "items",
                            List.of(Map.of(
                                    "id", "a-1",
                                    "type", "login.succeeded",
                                    "userId", "u-2",
                                    "at", "2026-12-07T09:00:00Z",
                                    "details", Map.of()))));
        } else {
            problem(exchange, 404, "Not found");
        }
    }

    // ---- agents, with versions: every change makes a new one ----

    private static void agents(HttpExchange exchange) throws IOException {
        String auth = auth(exchange);
        String[] parts = exchange.getRequestURI().getPath().split("/"); // "", api, v1, agents[, id[, …]]
        String method = exchange.getRequestMethod();
        if (parts.length == 4) {
            if (method.equals("POST")) {
                ObjectNode agent = (ObjectNode) body(exchange);
                agent.put("id", UUID.randomUUID().toString());
                agent.put("owner", auth);
                AGENT_VERSIONS.put(agent.path("id").asString(), new CopyOnWriteArrayList<>());
                json(exchange, 201, remember(agent, 1));
            } else {
                List<JsonNode> items = new ArrayList<>();
                AGENTS.values().stream()
                        .filter(a -> a.path("owner").asString().equals(auth))
                        .forEach(a -> items.add(view(a)));
                json(exchange, 200, Map.of("items", items, "nextCursor", ""));
            }
            return;
        }
        ObjectNode agent = AGENTS.get(parts[4]);
        if (agent == null || !agent.path("owner").asString().equals(auth)) {
            problem(exchange, 404, "Agent not found");
            return;
        }
        List<ObjectNode> versions = AGENT_VERSIONS.get(parts[4]);
        int version = agent.path("version").asInt();
        if (parts.length == 5 && method.equals("PUT")) {
            ObjectNode changed = (ObjectNode) body(exchange);
            changed.put("id", parts[4]);
            changed.put("owner", auth);
            json(exchange, 200, remember(changed, version + 1));
        } else if (parts.length == 5) {
            json(exchange, 200, view(agent));
        } else if (parts.length == 6 && parts[5].equals("versions")) {
            json(
                    exchange,
                    200,
                    Map.of(
                            "items",
                            versions.reversed().stream().map(ConsoleStubs::view).toList()));
        } else if (parts.length == 9 && parts[7].equals("diff")) {
            JsonNode a = versions.get(Integer.parseInt(parts[6]) - 1);
            JsonNode b = versions.get(Integer.parseInt(parts[8]) - 1);
            List<Map<String, Object>> changes = new ArrayList<>();
            for (String field : List.of("name", "description", "systemPrompt", "model", "tools")) {
                if (!Objects.equals(a.path(field), b.path(field))) {
                    changes.add(Map.of("field", field, "old", a.path(field), "new", b.path(field)));
                }
            }
            json(exchange, 200, Map.of("changes", changes));
        } else if (parts.length == 6 && parts[5].equals("rollback") && method.equals("POST")) {
            ObjectNode restored =
                    versions.get(body(exchange).path("version").asInt() - 1).deepCopy();
            json(exchange, 200, remember(restored, version + 1));
        } else {
            problem(exchange, 404, "Not found");
        }
    }

    private static JsonNode remember(ObjectNode agent, int version) {
        agent.put("version", version);
        agent.put("createdAt", Instant.now().toString());
        AGENTS.put(agent.path("id").asString(), agent);
        AGENT_VERSIONS.get(agent.path("id").asString()).add(agent.deepCopy());
        return view(agent);
    }

    private static JsonNode view(JsonNode agent) {
        ObjectNode copy = (ObjectNode) agent.deepCopy();
        copy.remove("owner");
        return copy;
    }

    // ---- memories: list (tag filter), search with scores, edit, delete, history, export ----

    private static void memories(HttpExchange exchange) throws IOException {
        Map<String, String> memories = RealtimeTestSupport.MEMORIES;
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        String id = path.substring(path.lastIndexOf('/') + 1);
        if (method.equals("DELETE")) {
            memories.remove(id);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        } else if (path.endsWith("/search")) {
            List<String> words = List.of(
                    body(exchange).path("query").asString().toLowerCase().split("\\s+"));
            List<Map<String, Object>> results = new ArrayList<>();
            memories.forEach((key, text) -> {
                long hits = words.stream().filter(text.toLowerCase()::contains).count();
                if (hits > 0) {
                    results.add(memory(key, text, Map.of("score", (double) hits / words.size())));
                }
            });
            results.sort((a, b) -> Double.compare((Double) b.get("score"), (Double) a.get("score")));
            json(exchange, 200, Map.of("results", results));
        } else if (path.endsWith("/export")) {
            StringBuilder ndjson = new StringBuilder();
            for (Map.Entry<String, String> m : memories.entrySet()) {
                ndjson.append(JSON.writeValueAsString(memory(m.getKey(), m.getValue(), Map.of())))
                        .append('\n');
            }
            send(exchange, 200, "application/x-ndjson", ndjson.toString());
        } else if (path.endsWith("/history")) {
            String memoryId = path.split("/")[4];
            json(exchange, 200, Map.of("items", MEMORY_HISTORY.getOrDefault(memoryId, List.of())));
        } else if (method.equals("PATCH")) {
            String text = body(exchange).path("memory").asString();
            String old = memories.put(id, text);
            MEMORY_HISTORY
                    .computeIfAbsent(id, k -> new CopyOnWriteArrayList<>())
                    .add(Map.of(
                            "event", "UPDATE", "oldMemory", String.valueOf(old), "newMemory", text, "actor", "user"));
            json(exchange, 200, memory(id, text, Map.of()));
        } else {
            String query = String.valueOf(exchange.getRequestURI().getQuery());
            String tag = query.contains("tags=") ? query.replaceAll(".*tags=([^&]*).*", "$1") : null;
            List<Map<String, Object>> items = new ArrayList<>();
            memories.forEach((key, text) -> {
                if (tag == null || MEMORY_TAGS.getOrDefault(key, List.of()).contains(tag)) {
                    items.add(memory(key, text, Map.of()));
                }
            });
            json(exchange, 200, Map.of("items", items));
        }
    }

    private static Map<String, Object> memory(String id, String text, Map<String, Object> extra) {
        Map<String, Object> memory = new ConcurrentHashMap<>(extra);
        memory.put("id", id);
        memory.put("memory", text);
        memory.put("tags", MEMORY_TAGS.getOrDefault(id, List.of()));
        memory.put("importance", 0.5);
        return memory;
    }

    /** {@code GET /api/v1/workflows/{id}}: its steps from {@link #WORKFLOW_STEPS} or from its events. */
    static void workflow(HttpExchange exchange, String id, RealtimeTestSupport.StubWorkflow workflow)
            throws IOException {
        String steps = WORKFLOW_STEPS.get(id);
        ArrayNode array;
        if (steps != null) {
            array = (ArrayNode) JSON.readTree(steps);
        } else {
            array = JSON.createArrayNode();
            String previous = null;
            for (String[] event : workflow.events()) {
                String stepId = JSON.readTree(event[1]).path("stepId").asString("");
                if (!stepId.isEmpty() && !array.toString().contains("\"" + stepId + "\"")) {
                    ObjectNode step = array.addObject().put("id", stepId).put("type", "tool");
                    if (previous != null) {
                        step.putArray("dependsOn").add(previous);
                    }
                    previous = stepId;
                }
            }
        }
        json(exchange, 200, Map.of("id", id, "name", workflow.name(), "steps", array));
    }

    /** Days of usage from {@code from} on, one per value. */
    public static String usageDays(LocalDate from, int... tokens) {
        ArrayNode days = JSON.createArrayNode();
        for (int i = 0; i < tokens.length; i++) {
            days.addObject()
                    .put("date", from.plusDays(i).toString())
                    .put("tokensIn", tokens[i] / 2)
                    .put("tokensOut", tokens[i] - tokens[i] / 2)
                    .put("turns", i);
        }
        return days.toString();
    }

    // ---- answering ----

    static String auth(HttpExchange exchange) {
        return String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
    }

    static JsonNode body(HttpExchange exchange) throws IOException {
        byte[] raw = exchange.getRequestBody().readAllBytes();
        return raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
    }

    static void json(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", JSON.writeValueAsString(body));
    }

    static void problem(HttpExchange exchange, int status, String detail) throws IOException {
        json(exchange, status, Map.of("status", status, "detail", detail));
    }

    static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }
}
