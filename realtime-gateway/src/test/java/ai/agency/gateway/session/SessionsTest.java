package ai.agency.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/** Collaboration sessions over REST, with events on the participants' sockets. */
class SessionsTest extends RealtimeTestSupport {

    static final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    JdbcClient jdbc;

    @Test
    void participantsOnlineHearOfTheSessionAndOfSharedContextOutsidersGet403() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        Client bobSocket = connect(JWTS.user(bob));
        bobSocket.next("ready");
        Client aliceSocket = connect(JWTS.user(alice));
        aliceSocket.next("ready");

        HttpResponse<String> created = post(
                "/api/v1/sessions", JWTS.user(alice), Map.of("purpose", "plan", "userIds", new String[] {bob.toString()
                }));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode session = JSON.readTree(created.body());
        String id = session.path("id").asString();
        assertThat(session.path("participants"))
                .extracting(JsonNode::asString)
                .containsExactlyInAnyOrder(alice.toString(), bob.toString());

        JsonNode joined = bobSocket.next("session.joined");
        assertThat(joined.path("sessionId").asString()).isEqualTo(id);
        assertThat(joined.path("purpose").asString()).isEqualTo("plan");

        String outsider = JWTS.user(UUID.randomUUID());
        assertThat(get("/api/v1/sessions/" + id, outsider).statusCode()).isEqualTo(403);
        HttpResponse<String> denied =
                post("/api/v1/sessions/" + id + "/context", outsider, Map.of("context", Map.of()));
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.body()).contains("\"errorType\":\"authorization\"");
        assertThat(get("/api/v1/sessions/" + UUID.randomUUID(), outsider).statusCode())
                .isEqualTo(404);

        assertThat(post("/api/v1/sessions/" + id + "/context", JWTS.user(alice), Map.of("context", Map.of("step", 1)))
                        .statusCode())
                .isEqualTo(202);
        JsonNode shared = bobSocket.next("session.context");
        assertThat(shared.path("from").asString()).isEqualTo(alice.toString());
        assertThat(shared.path("context").path("step").asInt()).isEqualTo(1);

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
        assertThat(stored.path("context").path("notes").asString()).isEqualTo(big);
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
        assertThat(post("/api/v1/sessions", null, Map.of("purpose", "x")).statusCode())
                .isEqualTo(401);
    }

    private HttpResponse<String> post(String path, String token, Object body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
