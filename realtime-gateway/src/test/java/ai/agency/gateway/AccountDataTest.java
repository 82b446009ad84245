package ai.agency.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The gateway's side of a user's export and erasure (/internal/account-data on its public port, served by the gateway
 * itself, never routed): sessions the user created, their part in others' sessions (and only the context entries
 * they wrote), invitations, spilled realtime events, replay frames and rate-limit buckets. Erasure leaves no copy of
 * the user's texts in any table of schema {@code gateway}, other users' sessions go on without them; no other token
 * reaches the endpoints.
 */
class AccountDataTest extends RealtimeTestSupport {

    static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    JdbcClient jdbc;

    private static String dataToken(UUID user) {
        return JWTS.withScopes(user, List.of("user"), List.of("account_data"));
    }

    @Test
    void exportsEveryKindOfItsUserAndErasureLeavesNoTextOfTheirsInAnyTable() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        UUID dave = UUID.randomUUID();
        String aliceMarker = "alice-" + UUID.randomUUID();
        String bobMarker = "bob-" + UUID.randomUUID();
        Client bobSocket = connect(JWTS.user(bob));
        bobSocket.next("ready");
        Client aliceSocket = connect(JWTS.user(alice));
        aliceSocket.next("ready");

        // alice's own session: bob joins, dave stays invited; alice shares context
        String alices = created(send(
                "POST",
                "/api/v1/sessions",
                JWTS.user(alice),
                Map.of("purpose", "plan of " + aliceMarker, "userIds", List.of(bob.toString(), dave.toString()))));
        assertThat(send("POST", "/api/v1/sessions/" + alices + "/join", JWTS.user(bob), Map.of())
                        .statusCode())
                .isEqualTo(200);
        share(alices, alice, Map.of("own-" + aliceMarker, "alice's step " + aliceMarker));
        // bob's session: alice joins and shares (spilled into realtime_events: too big for a notification), bob too
        String bobs = created(send(
                "POST",
                "/api/v1/sessions",
                JWTS.user(bob),
                Map.of("purpose", "bob's plan", "userIds", List.of(alice))));
        assertThat(send("POST", "/api/v1/sessions/" + bobs + "/join", JWTS.user(alice), Map.of())
                        .statusCode())
                .isEqualTo(200);
        share(bobs, alice, Map.of("note-" + aliceMarker, aliceMarker + " ".repeat(8000) + "end"));
        assertThat(bobSocket.next("session.context").toString()).contains(aliceMarker); // in bob's replay frames now
        // a third session of bob's to which alice is invited only
        String invitedTo = created(send(
                "POST",
                "/api/v1/sessions",
                JWTS.user(bob),
                Map.of("purpose", "bob's other", "userIds", List.of(alice))));
        aliceSocket.next("session.invited");
        // bob's own text, where alice is invited only: nothing of it is ever sent to her
        share(invitedTo, bob, Map.of("bobs-" + bobMarker, "bob's step " + bobMarker));
        assertThat(jdbc.sql("SELECT count(*) FROM gateway.rate_limits WHERE id LIKE :k")
                        .param("k", "%user:" + alice)
                        .query(Long.class)
                        .single())
                .as("alice's REST calls took tokens of a shared bucket")
                .isPositive();

        HttpResponse<String> kinds = send("GET", "/internal/account-data/kinds", dataToken(alice), null);
        assertThat(kinds.statusCode()).as(kinds.body()).isEqualTo(200);
        assertThat(JSON.readTree(kinds.body()).get("service").asString())
                .as("served by the gateway itself, not proxied")
                .isEqualTo("realtime-gateway");
        assertThat(JSON.readTree(kinds.body()).get("kinds").valueStream().map(JsonNode::asString))
                .containsExactlyInAnyOrder(
                        "sessions", "session_participations", "session_invitations", "realtime_events", "ws_frames");

        List<JsonNode> sessions = export(alice, "sessions");
        assertThat(sessions).hasSize(1);
        assertThat(sessions.getFirst().get("id").asString()).isEqualTo(alices);
        assertThat(sessions.getFirst().get("purpose").asString()).contains(aliceMarker);
        assertThat(sessions.getFirst().get("context").has("own-" + aliceMarker)).isTrue();
        assertThat(sessions.getFirst().get("participants").toString()).contains(bob.toString());
        assertThat(sessions.getFirst().get("invited").toString()).contains(dave.toString());
        List<JsonNode> participations = export(alice, "session_participations");
        assertThat(participations).hasSize(1);
        assertThat(participations.getFirst().get("sessionId").asString()).isEqualTo(bobs);
        assertThat(participations.getFirst().get("contributed").propertyNames())
                .as("only the entries alice wrote")
                .containsExactly("note-" + aliceMarker);
        List<JsonNode> invitations = export(alice, "session_invitations");
        assertThat(invitations.stream().map(i -> i.get("sessionId").asString()))
                .containsExactlyInAnyOrder(alices, invitedTo);
        List<JsonNode> events = export(alice, "realtime_events");
        assertThat(events).hasSize(1);
        assertThat(events.getFirst().get("payload").toString()).contains(aliceMarker);
        List<JsonNode> frames = export(alice, "ws_frames");
        assertThat(frames.stream().map(f -> f.get("frame").get("type").asString()))
                .contains("ready", "session.joined", "session.invited");
        String everything = sessions.toString() + participations + invitations + events + frames;
        assertThat(everything).doesNotContain(bobMarker);

        HttpResponse<String> erased = send("DELETE", "/internal/account-data", dataToken(alice), null);
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        JsonNode rows = JSON.readTree(erased.body()).get("erased");
        assertThat(rows.get("sessions").asLong()).isEqualTo(1);
        assertThat(rows.get("session_context_entries").asLong()).isEqualTo(1);
        assertThat(rows.get("session_participations").asLong()).isEqualTo(1);
        assertThat(rows.get("session_invitations").asLong()).isEqualTo(1); // dave's went with alice's session
        assertThat(rows.get("realtime_events").asLong()).isEqualTo(1);
        assertThat(rows.get("ws_frames").asLong()).isPositive();
        assertThat(rows.get("rate_limits").asLong()).isPositive();
        JsonNode ended = bobSocket.next("session.ended");
        assertThat(ended.get("sessionId").asString()).isEqualTo(alices);
        assertThat(ended.get("reason").asString()).isEqualTo("account_erased");
        assertThat(ended.toString()).doesNotContain(alice.toString());
        HttpResponse<String> again = send("DELETE", "/internal/account-data", dataToken(alice), null);
        assertThat(again.statusCode()).as("erasing twice is harmless").isEqualTo(200);
        JSON.readTree(again.body())
                .get("erased")
                .forEach(n -> assertThat(n.asLong()).isZero());

        assertThat(tablesHolding(aliceMarker))
                .as("tables still holding alice's texts")
                .isEmpty();
        assertThat(tablesHolding(alice.toString()))
                .as("rows naming alice (the rate-limit buckets of this test's later calls aside)")
                .doesNotContainKeys("collab_sessions", "collab_participants", "collab_invitations", "ws_frames");
        assertThat(tablesHolding(bobMarker)).containsKey("collab_sessions");
        JsonNode bobsSession = JSON.readTree(
                send("GET", "/api/v1/sessions/" + bobs, JWTS.user(bob), null).body());
        assertThat(bobsSession.get("context").propertyNames())
                .as("alice's entry is gone")
                .isEmpty();
        assertThat(bobsSession.get("participants").toString()).isEqualTo("[\"" + bob + "\"]");
        JsonNode bobsOther = JSON.readTree(send("GET", "/api/v1/sessions/" + invitedTo, JWTS.user(bob), null)
                .body());
        assertThat(bobsOther.get("context").propertyNames()).containsExactly("bobs-" + bobMarker);
        assertThat(bobsOther.get("invited").toString()).isEqualTo("[]");
        assertThat(send("GET", "/api/v1/sessions/" + alices, JWTS.user(bob), null)
                        .statusCode())
                .isEqualTo(404);
        assertThat(SEEN_TOKENS).as("nothing reached a downstream").doesNotContain("Bearer " + dataToken(alice));
        bobSocket.ws.sendClose(1000, "bye").join();
        aliceSocket.ws.sendClose(1000, "bye").join();
    }

    @Test
    void noOtherTokenReachesTheGatewaysAccountDataAndNothingIsProxied() throws Exception {
        UUID carol = UUID.randomUUID();
        String marker = "carol-" + UUID.randomUUID();
        String session = created(
                send("POST", "/api/v1/sessions", JWTS.user(carol), Map.of("purpose", marker, "userIds", List.of())));
        int seenBefore = SEEN_TOKENS.size();
        for (String token : Arrays.asList(JWTS.user(carol), JWTS.admin(carol), JWTS.admin(UUID.randomUUID()), null)) {
            int expected = token == null ? 401 : 403;
            assertThat(send("GET", "/internal/account-data/kinds", token, null).statusCode())
                    .isEqualTo(expected);
            assertThat(send("GET", "/internal/account-data/export/sessions", token, null)
                            .statusCode())
                    .isEqualTo(expected);
            HttpResponse<String> erase = send("DELETE", "/internal/account-data", token, null);
            assertThat(erase.statusCode()).isEqualTo(expected);
            assertThat(erase.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        }
        assertThat(SEEN_TOKENS.size()).as("no request reached a downstream").isEqualTo(seenBefore);
        assertThat(send("GET", "/api/v1/sessions/" + session, JWTS.user(carol), null)
                        .statusCode())
                .isEqualTo(200);
        assertThat(tablesHolding(marker)).containsKey("collab_sessions");
        // the job's token reaches nothing else of the user's, here or downstream
        assertThat(send("GET", "/api/v1/sessions", dataToken(carol), null).statusCode())
                .isEqualTo(403);
        assertThat(send("DELETE", "/api/v1/sessions/" + session, dataToken(carol), null)
                        .statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/api/v1/conversations", dataToken(carol), null).statusCode())
                .isEqualTo(403);
        assertThat(tablesHolding(marker)).containsKey("collab_sessions");
    }

    private void share(String session, UUID user, Map<String, String> context) throws Exception {
        HttpResponse<String> shared =
                send("POST", "/api/v1/sessions/" + session + "/context", JWTS.user(user), Map.of("context", context));
        assertThat(shared.statusCode()).as(shared.body()).isLessThan(300);
    }

    private static String created(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body()).get("id").asString();
    }

    private List<JsonNode> export(UUID user, String kind) throws Exception {
        HttpResponse<String> response = send("GET", "/internal/account-data/export/" + kind, dataToken(user), null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body().lines().map(JSON::readTree).toList();
    }

    private HttpResponse<String> send(String method, String path, String token, Object body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The tables of the gateway's schema with rows whose text holds {@code marker}, and how many. */
    private Map<String, Long> tablesHolding(String marker) {
        Map<String, Long> found = new LinkedHashMap<>();
        for (String table : jdbc.sql("SELECT table_name FROM information_schema.tables "
                        + "WHERE table_schema = 'gateway' AND table_type = 'BASE TABLE' ORDER BY table_name")
                .query(String.class)
                .list()) {
            long rows = jdbc.sql("SELECT count(*) FROM gateway.\"" + table + "\" t WHERE t::text LIKE '%' || :m || '%'")
                    .param("m", marker)
                    .query(Long.class)
                    .single();
            if (rows > 0) {
                found.put(table, rows);
            }
        }
        return found;
    }
}
