import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The workload of the launcher's AOT training run (scripts/services.sh): what users do, through the gateway, so that
 * the JDK records the classes and method profiles of real requests into each service's AOT cache (JEP 483/514/515).
 * Signs up two users and logs them in; then, for a fixed time, each user's client refreshes its token, reads its
 * profile, adds and searches memories, lists and executes a tool, analyzes a text, chats over REST, SSE and the
 * WebSocket (small talk, arithmetic through the calculator, remember and recall through the memory tools) and runs a
 * small workflow (a tool step, an approval, a transform). At the end the two users are disabled when the admin login
 * is known.
 *
 * <pre>java scripts/TrainingWorkload.java http://localhost:28080 [seconds=20]</pre>
 *
 * Environment: AGENCY_ADMIN_USERNAME, and AGENCY_ADMIN_PASSWORD or AGENCY_ADMIN_PASSWORD_FILE (to disable the users).
 * Exits 0 when most requests succeeded, 1 otherwise; it is a workload, not a test.
 */
public class TrainingWorkload {

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final Map<String, AtomicInteger> OUTCOMES = new ConcurrentHashMap<>();

    static String gateway;

    public static void main(String[] args) throws Exception {
        gateway = args.length > 0 ? args[0] : "http://localhost:8080";
        long seconds = args.length > 1 ? Long.parseLong(args[1]) : 20;
        long t0 = System.nanoTime();
        String password = "training-" + Long.toString(System.nanoTime(), 36);
        List<Thread> clients = new ArrayList<>();
        List<String> userIds = new CopyOnWriteArrayList<>();
        for (int n = 0; n < 2; n++) { // two users: each stays within the gateway's per-user rate limit
            String user = "aot-training-" + Long.toString(System.currentTimeMillis(), 36) + "-" + n;
            String userId = field(
                    call("POST", "/api/v1/auth/register", null,
                            json("username", user, "email", user + "@example.com", "password", password)),
                    "id");
            String[] tokens = login(user, password);
            if (userId == null || tokens == null) {
                continue;
            }
            userIds.add(userId);
            String workflowId = field(call("POST", "/api/v1/workflows", tokens[0], WORKFLOW), "id");
            int client = n;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            clients.add(Thread.ofPlatform().start(() -> client(client, tokens, workflowId, deadline)));
        }
        for (Thread client : clients) {
            client.join();
        }
        disable(userIds);
        int ok = OUTCOMES.entrySet().stream()
                .filter(e -> e.getKey().startsWith("2"))
                .mapToInt(e -> e.getValue().get())
                .sum();
        int all = OUTCOMES.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.printf("training workload: %d requests in %.0f s, %d answered 2xx; by status %s%n",
                all, (System.nanoTime() - t0) / 1e9, ok, OUTCOMES);
        System.exit(ok * 4 >= all * 3 ? 0 : 1);
    }

    static final String WORKFLOW = "{\"name\":\"aot-training\",\"steps\":["
            + "{\"id\":\"calc\",\"type\":\"tool\",\"input\":{\"tool\":\"calculator\",\"parameters\":"
            + "{\"expression\":\"{{input.a}} * {{input.b}}\"}}},"
            + "{\"id\":\"review\",\"type\":\"approval\",\"dependsOn\":[\"calc\"]},"
            + "{\"id\":\"report\",\"type\":\"transform\",\"dependsOn\":[\"review\"],"
            + "\"input\":{\"result\":\"{{steps.calc.output.result}}\"}}]}";

    /** One client's loop until the deadline; every step on its own, a failed one does not stop the others. */
    static void client(int n, String[] tokens, String workflowId, long deadline) {
        String conversation = field(call("POST", "/api/v1/conversations", tokens[0], "{\"title\":\"training\"}"), "id");
        ChatSocket socket = ChatSocket.open(tokens[0]);
        for (int i = 0; System.nanoTime() < deadline; i++) {
            String project = "project" + n + "x" + i;
            String[] refreshed = login(tokens[1]);
            if (refreshed != null) {
                tokens = refreshed;
            }
            String token = tokens[0];
            call("GET", "/api/v1/users/me", token, null);
            call("POST", "/api/v1/memories", token, json("content", "I work on " + project + " in Lisbon",
                    "infer", "false"));
            call("POST", "/api/v1/memories/search", token, json("query", "where do I work on " + project));
            call("GET", "/api/v1/memories?limit=5", token, null);
            call("GET", "/api/v1/tools", token, null);
            call("POST", "/api/v1/tools/calculator/execute", token, "{\"parameters\":{\"expression\":\"17*23+" + i
                    + "\"}}");
            call("POST", "/api/v1/analyze/text", token, json("text", "The training run of " + project
                    + " went well in Lisbon yesterday. Everyone was happy."));
            String path = "/api/v1/conversations/" + conversation + "/messages";
            call("POST", path, token, json("content", "what is 17*" + (23 + i)));
            call("POST", path, token, "{\"content\":\"Hello! How are you today?\",\"stream\":true}");
            if (socket != null) {
                socket.turn(conversation, "Hello, tell me something nice", true);
                socket.turn(conversation, "Remember that the door code of " + project + " is 4" + i, true);
                socket.turn(conversation, "What do you know about the door code of " + project + "?", false);
            }
            call("GET", "/api/v1/conversations/" + conversation + "/messages", token, null);
            if (i % 2 == 0) {
                runWorkflow(token, workflowId, i);
            }
        }
        if (socket != null) {
            socket.close();
        }
    }

    static void runWorkflow(String token, String workflowId, int i) {
        String runId = field(
                call("POST", "/api/v1/workflows/" + workflowId + "/runs", token,
                        "{\"input\":{\"a\":17,\"b\":" + (23 + i) + "}}"),
                "runId");
        if (runId == null) {
            return;
        }
        boolean approved = false;
        for (int poll = 0; poll < 100; poll++) {
            String run = call("GET", "/api/v1/runs/" + runId, token, null);
            if (run == null || run.contains("\"status\":\"succeeded\"") || run.contains("\"status\":\"failed\"")) {
                return;
            }
            if (!approved && run.contains("\"status\":\"waiting_approval\"")) {
                call("POST", "/api/v1/runs/" + runId + "/steps/review/approval", token, "{\"approved\":true}");
                approved = true;
            }
            sleep(100);
        }
    }

    /**
     * Disables the training users through the admin API, when the admin's password is known: nobody can log in as
     * them (their passwords are random anyway); their rows and data stay, named {@code aot-training-…}.
     */
    static void disable(List<String> userIds) throws Exception {
        String password = System.getenv("AGENCY_ADMIN_PASSWORD");
        String file = System.getenv("AGENCY_ADMIN_PASSWORD_FILE");
        if ((password == null || password.isBlank()) && file != null && Files.isReadable(Path.of(file))) {
            password = Files.readString(Path.of(file)).strip();
        }
        if (password == null || password.isBlank()) {
            System.out.println("training workload: the admin password is not known; the training users stay enabled");
            return;
        }
        String admin = System.getenv().getOrDefault("AGENCY_ADMIN_USERNAME", "admin");
        String token = field(call("POST", "/api/v1/auth/login", null, json("username", admin, "password", password)),
                "accessToken");
        for (String userId : userIds) {
            call("POST", "/api/v1/admin/users/" + userId + "/disable", token, null);
        }
    }

    static String[] login(String user, String password) {
        return pair(call("POST", "/api/v1/auth/login", null, json("username", user, "password", password)));
    }

    static String[] login(String refreshToken) {
        return pair(call("POST", "/api/v1/auth/refresh", null, json("refreshToken", refreshToken)));
    }

    static String[] pair(String body) {
        String access = field(body, "accessToken");
        return access == null ? null : new String[] {access, field(body, "refreshToken")};
    }

    /** One request; returns the body of a 2xx answer, else null. The outcome is counted by status (or error). */
    static String call(String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + path))
                .timeout(TIMEOUT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            count(Integer.toString(response.statusCode()));
            if (response.statusCode() == 429) {
                sleep(1000);
            }
            return response.statusCode() / 100 == 2 ? response.body() : null;
        } catch (Exception e) {
            count(e.getClass().getSimpleName());
            return null;
        }
    }

    static void count(String outcome) {
        OUTCOMES.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
    }

    static String field(String body, String name) {
        if (body == null) {
            return null;
        }
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(body);
        return m.find() ? m.group(1) : null;
    }

    /** A JSON object of string fields ("true"/"false" stay booleans), from name, value, name, value … */
    static String json(String... namesAndValues) {
        StringBuilder out = new StringBuilder("{");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            String value = namesAndValues[i + 1];
            out.append(i == 0 ? "" : ",").append('"').append(namesAndValues[i]).append("\":");
            out.append(value.equals("true") || value.equals("false")
                    ? value
                    : '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
        }
        return out.append('}').toString();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The gateway's chat WebSocket, opened with a ticket as the console does; one turn at a time. */
    static final class ChatSocket implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile CompletableFuture<String> ended = new CompletableFuture<>();
        private volatile String turnId = "";
        private WebSocket socket;

        static ChatSocket open(String token) {
            String ticket = field(call("POST", "/api/v1/auth/ws-ticket", token, null), "ticket");
            if (ticket == null) {
                return null;
            }
            ChatSocket chat = new ChatSocket();
            try {
                chat.socket = HTTP.newWebSocketBuilder()
                        .subprotocols("agency.v1", "ticket." + ticket)
                        .buildAsync(URI.create(gateway.replaceFirst("^http", "ws") + "/ws"), chat)
                        .get(10, TimeUnit.SECONDS);
                count("ws-open");
                return chat;
            } catch (Exception e) {
                count("ws-" + e.getClass().getSimpleName());
                return null;
            }
        }

        void turn(String conversationId, String content, boolean stream) {
            turnId = "t" + System.nanoTime();
            ended = new CompletableFuture<>();
            socket.sendText("{\"type\":\"chat\",\"id\":\"" + turnId + "\",\"conversationId\":\"" + conversationId
                    + "\",\"stream\":" + stream + ",\"content\":\"" + content + "\"}", true);
            try {
                String end = ended.get(30, TimeUnit.SECONDS);
                count(end.contains("\"type\":\"error\"") ? "ws-error" : "200");
            } catch (Exception e) {
                count("ws-" + e.getClass().getSimpleName());
            }
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.contains("\"requestId\":\"" + turnId + "\"")
                        && frame.matches("(?s).*\"type\":\"(stream_end|response|error)\".*")) {
                    ended.complete(frame);
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
