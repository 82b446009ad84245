package ai.agency.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.platform.Api.Reply;
import ai.agency.platform.Api.User;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoders;
import tools.jackson.databind.JsonNode;

/**
 * The security defences against the real jars, each test written as the attack: a leaked narrow API key tries to act wider, and a
 * revoked credential tries to keep working — directly at a service, and through two gateway replicas.
 */
class SecurityIT {

    private static RunningPlatform platform;
    private static URI gateway;
    private static URI gateway2;

    @BeforeAll
    static void startPlatform() {
        platform = RunningPlatform.get();
        gateway = platform.gateway();
        gateway2 = platform.secondGateway();
    }

    static User newUser() {
        return Api.newUser(gateway);
    }

    static String login(String username, String password) {
        return Api.login(gateway, username, password);
    }

    static String admin() {
        return login("admin", platform.adminPassword);
    }

    static Reply json(URI base, String method, String path, String token, String body) {
        return Api.send(base, method, path, token, body, body == null ? null : "application/json");
    }

    static String apiKey(String token, String scopes) {
        Reply key = json(
                gateway, "POST", "/api/v1/auth/api-keys", token, "{\"name\":\"leaked\",\"scopes\":" + scopes + "}");
        assertThat(key.status()).as(key.body()).isEqualTo(201);
        return key.json().get("key").asString();
    }

    /** The access token a key is exchanged for, straight from auth-service (as a client bypassing the gateway). */
    static String exchanged(String key) {
        Reply reply = Api.exchange(
                HttpRequest.newBuilder(platform.service("auth-service").resolve("/api/v1/auth/api-keys/exchange"))
                        .header("X-API-Key", key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("accessToken").asString();
    }

    static JsonNode claims(String jwt) {
        return Api.JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    private static void awaitRefused(URI base, String path, String credential) {
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(Api.send(base, "GET", path, credential, null, null)
                                .status())
                        .isEqualTo(401));
    }

    @Test
    void aReadOnlyKeyCannotWriteAtAnyService() {
        User owner = newUser();
        String key = apiKey(owner.token(), "[\"read\"]");
        String token = exchanged(key);

        String[][] writes = {
            {"/api/v1/memories", "{\"content\":\"I like tea\",\"infer\":false}"},
            {"/api/v1/tools/calculator/execute", "{\"parameters\":{\"expression\":\"1+1\"}}"},
            {"/api/v1/conversations", "{\"title\":\"x\"}"},
            {"/api/v1/agents", "{\"name\":\"a\",\"systemPrompt\":\"x\"}"},
            {"/api/v1/workflows", "{\"name\":\"w\",\"steps\":[]}"},
            {"/api/v1/channels", "{\"name\":\"c\",\"participants\":[]}"},
            {"/api/v1/sessions", "{\"purpose\":\"p\",\"userIds\":[]}"}
        };
        for (String[] write : writes) {
            Api.assertProblem(json(gateway, "POST", write[0], key, write[1]), 403, "authorization");
        }
        for (String service : List.of("memory-service", "tool-service", "orchestration-service")) {
            String path = switch (service) {
                case "memory-service" -> writes[0][0];
                case "tool-service" -> writes[1][0];
                default -> writes[2][0];
            };
            String body = switch (service) {
                case "memory-service" -> writes[0][1];
                case "tool-service" -> writes[1][1];
                default -> writes[2][1];
            };
            Api.assertProblem(json(platform.service(service), "POST", path, token, body), 403, "authorization");
        }
        assertThat(json(gateway, "GET", "/api/v1/memories", key, null).status()).isEqualTo(200);
        assertThat(json(gateway, "POST", "/api/v1/memories/search", key, "{\"query\":\"tea\"}")
                        .status())
                .as("a search only reads")
                .isEqualTo(200);
        assertThat(json(gateway, "GET", "/api/v1/memories", owner.token(), null)
                        .json()
                        .get("items")
                        .size())
                .as("nothing was stored")
                .isZero();
    }

    @Test
    void aReadOnlyKeyOfAnAdminCannotAdministerThroughAWebSocketTicket() {
        String key = apiKey(admin(), "[\"read\"]");
        Reply ticket = json(gateway, "POST", "/api/v1/auth/ws-ticket", key, null);
        assertThat(ticket.status()).as(ticket.body()).isEqualTo(200);
        Reply redeemed = json( // as the gateway's WebSocket handshake does
                platform.service("auth-service"),
                "POST",
                "/api/v1/auth/ws-ticket/redeem",
                null,
                "{\"ticket\":\"" + ticket.json().get("ticket").asString() + "\"}");
        String token = redeemed.json().get("accessToken").asString();

        Api.assertProblem(json(gateway, "GET", "/api/v1/admin/users", token, null), 403, "authorization");
        Api.assertProblem(
                json(gateway, "POST", "/api/v1/auth/api-keys", token, "{\"name\":\"x\",\"scopes\":[\"manage_users\"]}"),
                403,
                "authorization");
        assertThat(claims(token).get("scope").asString()).isEqualTo("read");
    }

    @Test
    void aReadOnlyKeyCannotChatOrShareOverTheWebSocket() throws Exception {
        User owner = newUser();
        String token = exchanged(apiKey(owner.token(), "[\"read\"]"));
        Frames frames = Frames.open(gateway, token);
        frames.next("ready");

        frames.send("{\"type\":\"chat\",\"id\":\"c1\",\"content\":\"remember that I like tea\"}");
        JsonNode chat = frames.next("error");
        frames.send("{\"type\":\"tool_call\",\"id\":\"t1\",\"toolName\":\"calculator\",\"parameters\":{}}");
        JsonNode tool = frames.next("error");

        assertThat(chat.get("errorType").asString()).isEqualTo("authorization");
        assertThat(chat.get("requestId").asString()).isEqualTo("c1");
        assertThat(tool.get("errorType").asString()).isEqualTo("authorization");
        frames.close();
    }

    @Test
    void aDeletedKeyStopsWorkingWithinASecondOnBothGatewaysAndAtTheServices() {
        User owner = newUser();
        Reply created =
                json(gateway, "POST", "/api/v1/auth/api-keys", owner.token(), "{\"name\":\"k\",\"scopes\":[\"read\"]}");
        String key = created.json().get("key").asString();
        String token = exchanged(key);
        for (URI base : List.of(gateway, gateway2)) { // both replicas now hold an exchanged token for the key
            assertThat(Api.send(base, "GET", "/api/v1/memories", key, null, null)
                            .status())
                    .isEqualTo(200);
        }
        assertThat(Api.send(platform.service("memory-service"), "GET", "/api/v1/memories", token, null, null)
                        .status())
                .isEqualTo(200);

        Reply deleted = json(
                gateway,
                "DELETE",
                "/api/v1/auth/api-keys/" + created.json().get("id").asString(),
                owner.token(),
                null);
        assertThat(deleted.status()).isEqualTo(204);

        awaitRefused(gateway, "/api/v1/memories", key);
        awaitRefused(gateway2, "/api/v1/memories", key);
        awaitRefused(platform.service("memory-service"), "/api/v1/memories", token);
        awaitRefused(platform.service("tool-service"), "/api/v1/tools", token);
        assertThat(Api.send(gateway, "GET", "/api/v1/memories", owner.token(), null, null)
                        .status())
                .as("the owner's own sign-in is untouched")
                .isEqualTo(200);
    }

    @Test
    void aDisabledUserIsShutOutWithinASecondEverywhereAndTheirSocketsClosedWith4401() throws Exception {
        User victim = newUser();
        Frames socket = Frames.open(gateway2, victim.token());
        socket.next("ready");
        String admin = admin();

        Reply disabled = json(gateway, "POST", "/api/v1/admin/users/" + victim.id() + "/disable", admin, null);
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);

        awaitRefused(gateway, "/api/v1/memories", victim.token());
        awaitRefused(gateway2, "/api/v1/memories", victim.token());
        awaitRefused(platform.service("memory-service"), "/api/v1/memories", victim.token());
        awaitRefused(platform.service("orchestration-service"), "/api/v1/conversations", victim.token());
        assertThat(socket.closeCode.get(2, TimeUnit.SECONDS)).isEqualTo(4401);
    }

    @Test
    void aDemotedAdminLosesAdminRightsWithinASecond() {
        User demoted = newUser();
        String admin = admin();
        json(gateway, "PUT", "/api/v1/admin/users/" + demoted.id() + "/roles", admin, "{\"roles\":[\"admin\"]}");
        String asAdmin = login(demoted.username(), demoted.password());
        assertThat(json(gateway2, "GET", "/api/v1/admin/users", asAdmin, null).status())
                .isEqualTo(200);

        json(gateway, "PUT", "/api/v1/admin/users/" + demoted.id() + "/roles", admin, "{\"roles\":[\"user\"]}");

        awaitRefused(gateway2, "/api/v1/admin/users", asAdmin);
        awaitRefused(platform.service("memory-service"), "/api/v1/memories", asAdmin);
    }

    @Test
    void aPasswordChangeEndsEveryOtherSessionEverywhere() {
        User user = newUser();
        String elsewhere = login(user.username(), user.password());
        assertThat(Api.send(gateway2, "GET", "/api/v1/memories", elsewhere, null, null)
                        .status())
                .isEqualTo(200);

        Reply changed = json(
                gateway,
                "POST",
                "/api/v1/users/me/password",
                user.token(),
                "{\"currentPassword\":\"" + user.password() + "\",\"newPassword\":\"violet kettle on the moon\"}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);

        for (URI base : List.of(gateway, gateway2, platform.service("memory-service"))) {
            awaitRefused(base, "/api/v1/memories", elsewhere);
            awaitRefused(base, "/api/v1/memories", user.token());
        }
        String fresh = changed.json().get("accessToken").asString();
        assertThat(Api.send(gateway2, "GET", "/api/v1/memories", fresh, null, null)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void logoutEverywhereAndAnAdminResetEndSessionsEverywhere() {
        User loggedOut = newUser();
        User reset = newUser();
        String admin = admin();

        assertThat(json(gateway, "POST", "/api/v1/auth/logout-all", loggedOut.token(), null)
                        .status())
                .isEqualTo(204);
        Reply code = json(gateway, "POST", "/api/v1/admin/users/" + reset.id() + "/password-reset", admin, null);
        assertThat(code.status()).as(code.body()).isEqualTo(201);
        Reply done = json(
                gateway,
                "POST",
                "/api/v1/auth/password-reset",
                null,
                "{\"username\":\"" + reset.username() + "\",\"resetCode\":\""
                        + code.json().get("resetCode").asString()
                        + "\",\"newPassword\":\"violet kettle on the moon\"}");
        assertThat(done.status()).as(done.body()).isEqualTo(204);

        for (URI base : List.of(gateway2, platform.service("orchestration-service"))) {
            awaitRefused(base, base == gateway2 ? "/api/v1/memories" : "/api/v1/conversations", loggedOut.token());
            awaitRefused(base, base == gateway2 ? "/api/v1/memories" : "/api/v1/conversations", reset.token());
        }
        assertThat(login(reset.username(), "violet kettle on the moon")).isNotBlank();
    }

    @Test
    void multimodalServiceLearnsOfRevocationsWithoutADatabase() {
        User victim = newUser();
        URI multimodal = platform.service("multimodal-service");
        Reply before = json(multimodal, "POST", "/api/v1/analyze/text", victim.token(), "{\"text\":\"Hello there.\"}");
        assertThat(before.status()).as(before.body()).isEqualTo(200);

        json(gateway, "POST", "/api/v1/admin/users/" + victim.id() + "/disable", admin(), null);

        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(json(
                                        multimodal,
                                        "POST",
                                        "/api/v1/analyze/text",
                                        victim.token(),
                                        "{\"text\":\"Hello there.\"}")
                                .status())
                        .isEqualTo(401));
    }

    @Test
    void aStandardResourceServerVerifiesPlatformTokensFromTheIssuerAlone() {
        User user = newUser();

        Jwt jwt = JwtDecoders.fromIssuerLocation(gateway.toString()).decode(user.token());

        assertThat(jwt.getIssuer().toString()).isEqualTo(gateway.toString());
        assertThat(jwt.getAudience()).containsExactly("agency");
        assertThat(jwt.getSubject()).isEqualTo(user.id().toString());
    }

    /** A WebSocket client (the JDK's) that queues frames and remembers the close code. */
    static final class Frames implements WebSocket.Listener {
        final LinkedBlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Frames open(URI base, String token) throws Exception {
            Frames frames = new Frames();
            URI ws = URI.create(base.toString().replaceFirst("^http", "ws") + "/ws");
            frames.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .subprotocols("agency.v1")
                    .buildAsync(ws, frames)
                    .get(10, TimeUnit.SECONDS);
            return frames;
        }

        void send(String frame) {
            socket.sendText(frame, true).join();
        }

        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                JsonNode frame = frames.poll(200, TimeUnit.MILLISECONDS);
                if (frame != null && type.equals(frame.path("type").asString())) {
                    return frame;
                }
            }
            throw new AssertionError("no '" + type + "' frame within 10 s");
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(Api.JSON.readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closeCode.completeExceptionally(error);
        }
    }
}
