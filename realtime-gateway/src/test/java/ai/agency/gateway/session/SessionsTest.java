package ai.agency.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.common.testsupport.ProblemAssertions;
import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Collaboration sessions over REST and the WebSocket, with events on the participants' sockets: invitations the
 * invitee accepts, the size limits of the shared context, and the same rules for {@code session.share} on both.
 */
class SessionsTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    JdbcClient jdbc;

    @Test
    void inviteJoinShareAndEndReachEveryoneOnline() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        UUID carol = UUID.randomUUID();
        Client aliceSocket = connect(JWTS.user(alice));
        aliceSocket.next("ready");
        Client bobSocket = connect(JWTS.user(bob));
        bobSocket.next("ready");

        HttpResponse<String> created = post(
                "/api/v1/sessions",
                JWTS.user(alice),
                Map.of("purpose", "plan", "userIds", List.of(bob.toString(), carol.toString())));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode session = JSON.readTree(created.body());
        String id = session.path("id").asString();
        assertThat(session.path("purpose").asString()).isEqualTo("plan");
        assertThat(strings(session.path("participants"))).containsExactly(alice.toString());
        assertThat(strings(session.path("invited"))).containsExactlyInAnyOrder(bob.toString(), carol.toString());

        JsonNode invited = bobSocket.next("session.invited");
        assertThat(invited.path("sessionId").asString()).isEqualTo(id);
        assertThat(invited.path("purpose").asString()).isEqualTo("plan");
        assertThat(invited.path("from").asString()).isEqualTo(alice.toString());
        JsonNode bobsList =
                JSON.readTree(get("/api/v1/sessions", JWTS.user(bob)).body());
        assertThat(bobsList.path("items")).hasSize(1);
        assertThat(bobsList.path("items").get(0).path("id").asString()).isEqualTo(id);
        assertThat(bobsList.path("items").get(0).path("membership").asString()).isEqualTo("invited");

        HttpResponse<String> joined = post("/api/v1/sessions/" + id + "/join", JWTS.user(bob), Map.of());
        assertThat(joined.statusCode()).isEqualTo(200);
        assertThat(strings(JSON.readTree(joined.body()).path("participants")))
                .containsExactly(alice.toString(), bob.toString());
        JsonNode heard = aliceSocket.next("session.joined");
        assertThat(heard.path("sessionId").asString()).isEqualTo(id);
        assertThat(heard.path("userId").asString()).isEqualTo(bob.toString());
        assertThat(JSON.readTree(get("/api/v1/sessions", JWTS.user(bob)).body())
                        .path("items")
                        .get(0)
                        .path("membership")
                        .asString())
                .isEqualTo("participant");

        assertThat(post("/api/v1/sessions/" + id + "/context", JWTS.user(alice), Map.of("context", Map.of("step", 1)))
                        .statusCode())
                .isEqualTo(202);
        JsonNode shared = bobSocket.next("session.context");
        assertThat(shared.path("from").asString()).isEqualTo(alice.toString());
        assertThat(shared.path("context").path("step").asInt()).isEqualTo(1);

        bobSocket.send(Map.of("type", "session.share", "id", "s1", "sessionId", id, "context", Map.of("city", "Lyon")));
        assertThat(bobSocket.next("session.shared").path("requestId").asString())
                .isEqualTo("s1");
        assertThat(aliceSocket
                        .next("session.context")
                        .path("context")
                        .path("city")
                        .asString())
                .isEqualTo("Lyon");

        // a context too big for a NOTIFY payload goes through the events table
        String big = "y".repeat(20_000);
        assertThat(post("/api/v1/sessions/" + id + "/context", JWTS.user(bob), Map.of("context", Map.of("notes", big)))
                        .statusCode())
                .isEqualTo(202);
        JsonNode bigShared = aliceSocket.next("session.context");
        assertThat(bigShared.path("context").path("notes").asString()).isEqualTo(big);
        assertThat(bigShared.path("from").asString()).isEqualTo(bob.toString());
        JsonNode stored =
                JSON.readTree(get("/api/v1/sessions/" + id, JWTS.user(bob)).body());
        assertThat(stored.path("context").path("step").asInt()).isEqualTo(1);
        assertThat(stored.path("context").path("city").asString()).isEqualTo("Lyon");
        assertThat(stored.path("context").path("notes").asString()).isEqualTo(big);
        assertThat(strings(stored.path("invited"))).containsExactly(carol.toString());

        // carol declines: the invitation is gone, and with it any way in
        assertThat(delete("/api/v1/sessions/" + id + "/invitation", JWTS.user(carol))
                        .statusCode())
                .isEqualTo(204);
        assertThat(JSON.readTree(get("/api/v1/sessions", JWTS.user(carol)).body())
                        .path("items"))
                .isEmpty();
        assertThat(post("/api/v1/sessions/" + id + "/join", JWTS.user(carol), Map.of())
                        .statusCode())
                .isEqualTo(404);

        // bob may not end it; alice does: bob hears of it and the context is erased
        HttpResponse<String> notTheCreator = delete("/api/v1/sessions/" + id, JWTS.user(bob));
        ProblemAssertions.assertProblem(
                notTheCreator.statusCode(),
                notTheCreator.headers().firstValue("Content-Type").orElse(null),
                notTheCreator.body(),
                403,
                "authorization");
        assertThat(delete("/api/v1/sessions/" + id, JWTS.user(alice)).statusCode())
                .isEqualTo(204);
        JsonNode ended = bobSocket.next("session.ended");
        assertThat(ended.path("sessionId").asString()).isEqualTo(id);
        assertThat(ended.path("by").asString()).isEqualTo(alice.toString());
        assertThat(get("/api/v1/sessions/" + id, JWTS.user(alice)).statusCode()).isEqualTo(404);
        assertThat(jdbc.sql("SELECT count(*) FROM collab_sessions WHERE id = ?")
                        .param(UUID.fromString(id))
                        .query(Long.class)
                        .single())
                .isZero();
        assertThat(jdbc.sql("SELECT count(*) FROM collab_participants WHERE session_id = ?")
                        .param(UUID.fromString(id))
                        .query(Long.class)
                        .single())
                .isZero();
    }

    @Test
    void aUserCannotPushContextToSomeoneWhoDidNotAccept() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID victim = UUID.randomUUID();
        Client victimSocket = connect(JWTS.user(victim));
        victimSocket.next("ready");
        String id = create(JWTS.user(alice), victim);

        assertThat(post("/api/v1/sessions/" + id + "/context", JWTS.user(alice), Map.of("context", Map.of("ad", "buy")))
                        .statusCode())
                .isEqualTo(202);

        assertThat(typesBeforeMarker(victimSocket, victim)).doesNotContain("session.context", "session.joined");
    }

    @Test
    void anInviteeReadsNothingBeforeJoining() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        String id = create(JWTS.user(alice), bob);
        post("/api/v1/sessions/" + id + "/context", JWTS.user(alice), Map.of("context", Map.of("secret", "s3cr3t")));

        HttpResponse<String> read = get("/api/v1/sessions/" + id, JWTS.user(bob));
        // the answer to an unknown session: it tells an invitee (or anyone) nothing
        ProblemAssertions.assertProblem(
                read.statusCode(),
                read.headers().firstValue("Content-Type").orElse(null),
                read.body(),
                404,
                "not_found");
        assertThat(read.body()).doesNotContain("s3cr3t");
        HttpResponse<String> listed = get("/api/v1/sessions", JWTS.user(bob));
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).doesNotContain("s3cr3t").contains("\"membership\":\"invited\"");

        assertThat(post("/api/v1/sessions/" + id + "/join", JWTS.user(bob), Map.of())
                        .body())
                .contains("s3cr3t");
    }

    @Test
    void anInviteeWhoDidNotJoinCannotShare() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        Client aliceSocket = connect(JWTS.user(alice));
        aliceSocket.next("ready");
        String id = create(JWTS.user(alice), bob);

        HttpResponse<String> rest =
                post("/api/v1/sessions/" + id + "/context", JWTS.user(bob), Map.of("context", Map.of("x", 1)));
        ProblemAssertions.assertProblem(
                rest.statusCode(),
                rest.headers().firstValue("Content-Type").orElse(null),
                rest.body(),
                403,
                "authorization");
        Client bobSocket = connect(JWTS.user(bob));
        bobSocket.next("ready");
        bobSocket.send(Map.of("type", "session.share", "id", "s1", "sessionId", id, "context", Map.of("x", 2)));
        JsonNode refused = bobSocket.next("error");
        assertThat(refused.path("requestId").asString()).isEqualTo("s1");
        assertThat(refused.path("errorType").asString()).isEqualTo("authorization");

        assertThat(typesBeforeMarker(aliceSocket, alice)).doesNotContain("session.context");
        assertThat(JSON.readTree(get("/api/v1/sessions/" + id, JWTS.user(alice)).body())
                        .path("context")
                        .isEmpty())
                .isTrue();
    }

    @Test
    void aViewerCannotShareOverTheWebSocket() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID viewer = UUID.randomUUID();
        Client aliceSocket = connect(JWTS.user(alice));
        aliceSocket.next("ready");
        String id = create(JWTS.user(alice), viewer);
        // a viewer cannot join (joining is a write, the scope rule refuses it): this one joined as a user and was
        // demoted to viewer since
        assertThat(post("/api/v1/sessions/" + id + "/join", JWTS.viewer(viewer), Map.of())
                        .statusCode())
                .isEqualTo(403);
        assertThat(post("/api/v1/sessions/" + id + "/join", JWTS.user(viewer), Map.of())
                        .statusCode())
                .isEqualTo(200);

        Client viewerSocket = connect(JWTS.viewer(viewer));
        viewerSocket.next("ready");
        viewerSocket.send(
                Map.of("type", "session.share", "id", "v1", "sessionId", id, "context", Map.of("defaced", true)));
        JsonNode refused = viewerSocket.next("error");
        assertThat(refused.path("requestId").asString()).isEqualTo("v1");
        assertThat(refused.path("errorType").asString()).isEqualTo("authorization");
        // and over REST, as before
        assertThat(post("/api/v1/sessions/" + id + "/context", JWTS.viewer(viewer), Map.of("context", Map.of("x", 1)))
                        .statusCode())
                .isEqualTo(403);

        assertThat(typesBeforeMarker(aliceSocket, alice)).doesNotContain("session.context");
        assertThat(get("/api/v1/sessions/" + id, JWTS.user(alice)).body()).doesNotContain("defaced");
    }

    @Test
    void aFiftyFirstInvitationIsRefused() throws Exception {
        String alice = JWTS.user(UUID.randomUUID());
        List<String> fiftyOne = IntStream.range(0, 51)
                .mapToObj(i -> UUID.randomUUID().toString())
                .toList();

        HttpResponse<String> refused = post("/api/v1/sessions", alice, Map.of("purpose", "spam", "userIds", fiftyOne));
        JsonNode problem = ProblemAssertions.assertProblem(
                refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null),
                refused.body(),
                400,
                "validation");
        assertThat(ProblemAssertions.errorFields(problem)).containsExactly("userIds");
        assertThat(problem.path("detail").asString()).contains("at most 50 invitations");

        HttpResponse<String> fifty =
                post("/api/v1/sessions", alice, Map.of("purpose", "team", "userIds", fiftyOne.subList(0, 50)));
        assertThat(fifty.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(fifty.body()).path("invited")).hasSize(50);
        assertThat(JSON.readTree(fifty.body()).path("participants")).hasSize(1);
    }

    @Test
    void contextPastOneMegabyteIs413() throws Exception {
        String alice = JWTS.user(UUID.randomUUID());
        String id = create(alice);
        String quarter = "q".repeat(250_000);
        for (int i = 0; i < 4; i++) {
            assertThat(post(
                                    "/api/v1/sessions/" + id + "/context",
                                    alice,
                                    Map.of("context", Map.of("part" + i, quarter)))
                            .statusCode())
                    .isEqualTo(202);
        }

        HttpResponse<String> refused =
                post("/api/v1/sessions/" + id + "/context", alice, Map.of("context", Map.of("part4", quarter)));
        JsonNode problem = ProblemAssertions.assertProblem(
                refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null),
                refused.body(),
                413,
                "validation");
        assertThat(problem.path("detail").asString()).contains("1048576 bytes");
        assertThat(ProblemAssertions.errorFields(problem)).containsExactly("context");
        JsonNode stored = JSON.readTree(get("/api/v1/sessions/" + id, alice).body());
        assertThat(stored.path("context").propertyNames())
                .containsExactlyInAnyOrder("part0", "part1", "part2", "part3");

        // replacing a key keeps the size: still accepted
        assertThat(post("/api/v1/sessions/" + id + "/context", alice, Map.of("context", Map.of("part0", "short")))
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void concurrentSharesCannotTogetherPassTheContextLimit() throws Exception {
        String alice = JWTS.user(UUID.randomUUID());
        String id = create(alice);
        String quarter = "c".repeat(250_000);

        List<Integer> statuses;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> shares = IntStream.range(0, 8)
                    .mapToObj(i -> pool.submit(() -> post(
                                    "/api/v1/sessions/" + id + "/context",
                                    alice,
                                    Map.of("context", Map.of("part" + i, quarter)))
                            .statusCode()))
                    .toList();
            statuses = new ArrayList<>();
            for (Future<Integer> share : shares) {
                statuses.add(share.get());
            }
        }

        // four 250 KB parts fit in 1 MB, a fifth does not, whichever order they commit in
        assertThat(statuses).filteredOn(s -> s == 202).hasSize(4);
        assertThat(statuses).filteredOn(s -> s == 413).hasSize(4);
        long stored = jdbc.sql("SELECT octet_length(context::text) FROM collab_sessions WHERE id = ?")
                .param(UUID.fromString(id))
                .query(Long.class)
                .single();
        assertThat(stored).isBetween(1_000_000L, 1_048_576L);
    }

    @Test
    void oneShareLargerThan256KilobytesIs413() throws Exception {
        String alice = JWTS.user(UUID.randomUUID());
        String id = create(alice);

        HttpResponse<String> refused = post(
                "/api/v1/sessions/" + id + "/context", alice, Map.of("context", Map.of("blob", "b".repeat(270_000))));

        ProblemAssertions.assertProblem(
                refused.statusCode(),
                refused.headers().firstValue("Content-Type").orElse(null),
                refused.body(),
                413,
                "validation");
    }

    @Test
    void onlyInviteesJoinAndOnlyTheCreatorEnds() throws Exception {
        UUID alice = UUID.randomUUID();
        String id = create(JWTS.user(alice));
        String outsider = JWTS.user(UUID.randomUUID());

        assertThat(post("/api/v1/sessions/" + id + "/join", outsider, Map.of()).statusCode())
                .isEqualTo(404);
        assertThat(delete("/api/v1/sessions/" + id + "/invitation", outsider).statusCode())
                .isEqualTo(404);
        assertThat(delete("/api/v1/sessions/" + id, outsider).statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/sessions/" + id, outsider).statusCode()).isEqualTo(404);
        HttpResponse<String> denied =
                post("/api/v1/sessions/" + id + "/context", outsider, Map.of("context", Map.of()));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("\"errorType\":\"authorization\"");
        assertThat(get("/api/v1/sessions/" + UUID.randomUUID(), outsider).statusCode())
                .isEqualTo(404);
        assertThat(get("/api/v1/sessions/" + id, JWTS.user(alice)).statusCode()).isEqualTo(200);
    }

    @Test
    void participantsOfSessionsCreatedBeforeInvitationsStayParticipants() throws Exception {
        // a session as the code before invitations stored it: every named user a participant at once
        UUID id = UUID.randomUUID();
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        jdbc.sql("INSERT INTO collab_sessions (id, purpose, created_by, context) VALUES (?, 'old', ?, '{\"a\":1}')")
                .params(id, alice)
                .update();
        for (UUID user : List.of(alice, bob)) {
            jdbc.sql("INSERT INTO collab_participants (session_id, user_id) VALUES (?, ?)")
                    .params(id, user)
                    .update();
        }
        Client aliceSocket = connect(JWTS.user(alice));
        aliceSocket.next("ready");

        JsonNode read =
                JSON.readTree(get("/api/v1/sessions/" + id, JWTS.user(bob)).body());
        assertThat(read.path("context").path("a").asInt()).isEqualTo(1);
        assertThat(post("/api/v1/sessions/" + id + "/context", JWTS.user(bob), Map.of("context", Map.of("b", 2)))
                        .statusCode())
                .isEqualTo(202);
        assertThat(aliceSocket.next("session.context").path("context").path("b").asInt())
                .isEqualTo(2);
        assertThat(get("/api/v1/sessions", JWTS.user(bob)).body()).contains(id.toString());
    }

    @Test
    void theListShowsOwnSessionsAndInvitationsPageByPage() throws Exception {
        UUID alice = UUID.randomUUID();
        List<String> own = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            own.add(create(JWTS.user(alice)));
        }
        String invitation = create(JWTS.user(UUID.randomUUID()), alice);

        JsonNode first =
                JSON.readTree(get("/api/v1/sessions?limit=2", JWTS.user(alice)).body());
        assertThat(first.path("items")).hasSize(2);
        String cursor = first.path("nextCursor").asString();
        assertThat(cursor).isNotBlank();
        JsonNode second = JSON.readTree(get("/api/v1/sessions?limit=2&cursor=" + cursor, JWTS.user(alice))
                .body());
        assertThat(second.path("items")).hasSize(2);
        assertThat(second.path("nextCursor").isNull()).isTrue();

        List<JsonNode> all = new ArrayList<>();
        first.path("items").forEach(all::add);
        second.path("items").forEach(all::add);
        assertThat(all.stream().map(s -> s.path("id").asString()))
                .containsExactly(invitation, own.get(2), own.get(1), own.get(0));
        assertThat(all.getFirst().path("membership").asString()).isEqualTo("invited");
        assertThat(all.get(1).path("membership").asString()).isEqualTo("participant");
        assertThat(get("/api/v1/sessions?cursor=bm9wZQ", JWTS.user(alice)).statusCode())
                .isEqualTo(400);
    }

    @Test
    void anEventNotifiedByAnotherReplicaReachesTheSocket() {
        UUID carol = UUID.randomUUID();
        Client socket = connect(JWTS.user(carol));
        socket.next("ready");

        // what another gateway replica's SessionEvents.publish sends
        jdbc.sql("SELECT pg_notify('gateway_events', ?)")
                .param("{\"type\":\"session.context\",\"users\":[\"" + carol
                        + "\"],\"fields\":{\"sessionId\":\"s\",\"from\":\"elsewhere\",\"context\":{\"k\":1}}}")
                .query()
                .singleRow();

        JsonNode event = socket.next("session.context");
        assertThat(event.path("from").asString()).isEqualTo("elsewhere");
        assertThat(event.path("seq").asLong()).isEqualTo(2);
    }

    @Test
    void sessionEndpointsNeedAToken() throws Exception {
        assertThat(get("/api/v1/sessions/" + UUID.randomUUID(), null).statusCode())
                .isEqualTo(401);
        assertThat(get("/api/v1/sessions", null).statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/sessions", null, Map.of("purpose", "x")).statusCode())
                .isEqualTo(401);
        assertThat(post("/api/v1/sessions/" + UUID.randomUUID() + "/join", null, Map.of())
                        .statusCode())
                .isEqualTo(401);
    }

    /**
     * The types of the frames the user's socket got before a marker event notified now. Notifications reach the
     * gateway in commit order, so whatever an earlier request published for this user arrives before the marker.
     */
    private List<String> typesBeforeMarker(Client socket, UUID user) {
        String marker = UUID.randomUUID().toString();
        jdbc.sql("SELECT pg_notify('gateway_events', ?)")
                .param("{\"type\":\"test.marker\",\"users\":[\"" + user + "\"],\"fields\":{\"marker\":\"" + marker
                        + "\"}}")
                .query()
                .singleRow();
        List<String> types = new ArrayList<>();
        while (true) {
            JsonNode frame = socket.next();
            if (frame.path("marker").asString().equals(marker)) {
                return types;
            }
            types.add(frame.path("type").asString());
        }
    }

    private String create(String token, UUID... invited) throws Exception {
        HttpResponse<String> created = post(
                "/api/v1/sessions",
                token,
                Map.of(
                        "purpose",
                        "p",
                        "userIds",
                        List.of(invited).stream().map(UUID::toString).toList()));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).path("id").asString();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }

    private HttpResponse<String> post(String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return send(b, token);
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)), token);
    }

    private HttpResponse<String> delete(String path, String token) throws Exception {
        return send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                        .DELETE(),
                token);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b, String token) throws Exception {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
