package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.gateway.RealtimeTestSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;

/**
 * Two gateway replicas on one database: A is the shared test context (heartbeat 1 s), B is started here (heartbeat
 * 2 s, a 16 KB send buffer, a 1 s send time limit). Real WebSocket clients; the stub orchestration's
 * streams are held at gates so each test decides when a token exists. B is shut down last, gracefully.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicasAndLifecycleTest extends RealtimeTestSupport {

    static ConfigurableApplicationContext replicaB;
    static final HttpClient http = HttpClient.newHttpClient();

    @Autowired
    Environment env;

    @Autowired
    ConnectionRegistry registryOfA;

    @BeforeAll
    static void noReplicaYet() {
        replicaB = null;
    }

    private URI wsOfB() {
        if (replicaB == null) {
            replicaB = startReplica(
                    env,
                    "agency.gateway.realtime.heartbeat-interval=2s",
                    "agency.gateway.realtime.send-buffer-bytes=16384",
                    "agency.gateway.realtime.send-time-limit=1s",
                    "agency.gateway.realtime.shutdown-drain=2s");
        }
        return URI.create("ws://localhost:" + portOf(replicaB) + "/ws");
    }

    @AfterAll
    static void stopReplica() {
        if (replicaB != null && replicaB.isActive()) {
            replicaB.close();
        }
    }

    @Test
    @Order(1)
    void aStreamStillRunningOnReplicaAContinuesOnReplicaBAfterResume() {
        String token = JWTS.user(UUID.randomUUID());
        URI b = wsOfB();
        Client onA = connect(token);
        String connectionId = onA.connectionId(onA.next("ready"));
        String content = "gated first second third fourth";
        onA.send(Map.of("type", "chat", "id", "long", "content", content));
        onA.next("stream_start");
        JsonNode firstChunk = onA.next("stream_chunk");
        assertThat(firstChunk.path("content").asString()).isEqualTo("gated");
        long lastSeen = firstChunk.path("seq").asLong();

        onA.ws.abort(); // the client's network drops; the stream keeps running on A
        gate(content).release(); // "first" is produced while nobody is connected

        Client onB = Client.open(b, builder -> builder.header("Authorization", "Bearer " + token));
        onB.next("ready");
        onB.send(Map.of("type", "resume", "id", "r", "connectionId", connectionId, "afterSeq", lastSeen));
        List<String> chunks = new ArrayList<>();
        JsonNode resumed = null;
        JsonNode frame;
        do { // replayed frames (maybe "first"), then "resumed"
            frame = onB.next();
            if (frame.path("type").asString().equals("stream_chunk")) {
                chunks.add(frame.path("content").asString());
            }
        } while (!frame.path("type").asString().equals("resumed"));
        resumed = frame;
        // the rest of the stream is produced only now, on A, and must arrive on B
        gate(content).release(3);
        do {
            frame = onB.next();
            if (frame.path("type").asString().equals("stream_chunk")) {
                assertThat(frame.path("requestId").asString()).isEqualTo("long");
                assertThat(frame.path("seq").asLong())
                        .isGreaterThan(resumed.path("seq").asLong());
                chunks.add(frame.path("content").asString());
            }
        } while (!frame.path("type").asString().equals("stream_end"));

        assertThat(chunks).containsExactly("first", "second", "third", "fourth");
        assertThat(frame.path("requestId").asString()).isEqualTo("long");
        assertThat(frame.path("usage").path("outputTokens").asInt()).isEqualTo(5);
        assertThat(resumed).as(onB.all.toString()).isNotNull();
        assertThat(resumed.path("connectionId").asString()).isEqualTo(connectionId);
        // nothing after stream_end: no frame doubled by replay and relay
        onB.send(Map.of("type", "ping", "id", "after"));
        assertThat(onB.next().path("type").asString()).isEqualTo("pong");
    }

    @Test
    @Order(2)
    void sessionShareOnOneReplicaReachesAParticipantOnTheOther() throws Exception {
        UUID alice = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        URI b = wsOfB();
        Client aliceOnA = connect(JWTS.user(alice));
        aliceOnA.next("ready");
        Client bobOnB = Client.open(b, builder -> builder.header("Authorization", "Bearer " + JWTS.user(bob)));
        bobOnB.next("ready");
        HttpResponse<String> created = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/sessions"))
                        .header("Authorization", "Bearer " + JWTS.user(alice))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                JSON.writeValueAsString(Map.of("purpose", "trip", "userIds", List.of(bob.toString())))))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        String sessionId = JSON.readTree(created.body()).path("id").asString();
        bobOnB.next("session.invited");
        // bob accepts on replica B; alice on A hears of it
        HttpResponse<String> joined = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://localhost:" + portOf(replicaB) + "/api/v1/sessions/" + sessionId + "/join"))
                        .header("Authorization", "Bearer " + JWTS.user(bob))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(joined.statusCode()).isEqualTo(200);
        assertThat(aliceOnA.next("session.joined").path("userId").asString()).isEqualTo(bob.toString());
        bobOnB.next("session.joined");

        aliceOnA.send(
                Map.of("type", "session.share", "id", "s1", "sessionId", sessionId, "context", Map.of("city", "Lyon")));

        JsonNode shared = aliceOnA.next("session.shared");
        assertThat(shared.path("requestId").asString()).isEqualTo("s1");
        assertThat(shared.path("sessionId").asString()).isEqualTo(sessionId);
        JsonNode context = bobOnB.next("session.context");
        assertThat(context.path("sessionId").asString()).isEqualTo(sessionId);
        assertThat(context.path("from").asString()).isEqualTo(alice.toString());
        assertThat(context.path("context").path("city").asString()).isEqualTo("Lyon");

        // an outsider cannot share into the session, and a bad frame is refused
        Client outsider = connect(JWTS.user(UUID.randomUUID()));
        outsider.next("ready");
        outsider.send(Map.of("type", "session.share", "id", "s2", "sessionId", sessionId, "context", Map.of()));
        JsonNode denied = outsider.next("error");
        assertThat(denied.path("requestId").asString()).isEqualTo("s2");
        assertThat(denied.path("errorType").asString()).isEqualTo("authorization");
        outsider.send(Map.of("type", "session.share", "id", "s3", "sessionId", "nope", "context", "x"));
        assertThat(outsider.next("error").path("errorType").asString()).isEqualTo("validation");
    }

    @Test
    @Order(2)
    void framesLargerThanTheContainersBufferAreAssembledAndOnlyThoseOverTheLimitRefused() {
        // replica B keeps the default limit of 64 KB; the container's buffer is 8 KB, so these arrive in parts
        Client client = Client.open(wsOfB(), b -> b.header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID())));
        client.next("ready");

        client.send("{\"type\":\"ping\",\"id\":\"big\",\"pad\":\"" + "é".repeat(30_000) + "\"}");
        JsonNode pong = client.next();
        assertThat(pong.path("type").asString()).isEqualTo("pong");
        assertThat(pong.path("requestId").asString()).isEqualTo("big");

        client.send("{\"type\":\"ping\",\"id\":\"huge\",\"pad\":\"" + "x".repeat(1_000_000) + "\"}");
        JsonNode refused = client.next();
        assertThat(refused.path("type").asString()).isEqualTo("error");
        assertThat(refused.path("message").asString()).contains("too large");

        client.send(Map.of("type", "ping", "id", "after"));
        assertThat(client.next().path("requestId").asString()).isEqualTo("after");
        assertThat(client.closeCode).isNull();
    }

    @Test
    @Order(3)
    void aConnectionThatStopsAnsweringPingsIsClosed() {
        // replica A pings every second; a client that reads nothing answers no ping
        UUID user = UUID.randomUUID();
        Client dead = Client.openPaused(wsUri(), b -> b.header("Authorization", "Bearer " + JWTS.user(user)));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !registryOfA.openOf(user).isEmpty());

        await().atMost(Duration.ofSeconds(20))
                .until(() -> registryOfA.openOf(user).isEmpty());
        dead.startReading(); // reads what was sent, the close frame included
        await().atMost(Duration.ofSeconds(10)).until(() -> dead.closeCode != null);
        assertThat(dead.closeCode).isEqualTo(1011);
        assertThat(dead.all.getFirst().path("type").asString()).isEqualTo("ready");
    }

    @Test
    @Order(4)
    void aClientTooSlowToReadIsClosedWith1008() throws Exception {
        wsOfB();
        UUID user = UUID.randomUUID();
        ConnectionRegistry registryOfB = replicaB.getBean(ConnectionRegistry.class);
        try (RawWebSocket slow = RawWebSocket.open(portOf(replicaB), JWTS.user(user))) {
            slow.sendText(JSON.writeValueAsString(
                    Map.of("type", "chat", "id", "flood", "content", "flood 4000"))); // about 32 MB of chunks
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !registryOfB.openOf(user).isEmpty());

            // the client reads nothing: the gateway must give up on it rather than buffer 32 MB
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> registryOfB.openOf(user).isEmpty());
            RawWebSocket.Outcome outcome = slow.readUntilClose();

            assertThat(outcome.closeCode())
                    .as("after %d text frames", outcome.textFrames())
                    .isEqualTo(1008);
            assertThat(outcome.textFrames()).isLessThan(4000); // a prefix of the stream reached the socket
        }
    }

    @Test
    @Order(5)
    void aGracefulShutdownEndsRunningStreamsWithAFinalFrameThenCloses1001() {
        URI b = wsOfB();
        Client client =
                Client.open(b, builder -> builder.header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID())));
        client.next("ready");
        String content = "gated until shutdown";
        client.send(Map.of("type", "chat", "id", "running", "content", content));
        client.next("stream_start");
        client.next("stream_chunk");

        Thread closer = Thread.ofVirtual().start(() -> replicaB.close());

        JsonNode end = client.next("stream_end");
        assertThat(end.path("requestId").asString()).isEqualTo("running");
        assertThat(end.path("cancelled").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> client.closeCode != null);
        assertThat(client.closeCode).isEqualTo(1001);
        await().atMost(Duration.ofSeconds(30)).until(() -> !closer.isAlive());
    }

    @Test
    @Order(6)
    void aGracefulShutdownLetsAStreamEndByItselfWithinTheDrainAndClosesIdleSocketsAtOnce() throws Exception {
        // a rolling restart must not cut answers short: the stream ends normally, then its socket closes 1001
        ConfigurableApplicationContext replicaC = startReplica(
                env, "agency.gateway.realtime.shutdown-drain=20s", "agency.gateway.realtime.shutdown-handover=20s");
        URI c = URI.create("ws://localhost:" + portOf(replicaC) + "/ws");
        Client busy =
                Client.open(c, builder -> builder.header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID())));
        Client idle =
                Client.open(c, builder -> builder.header("Authorization", "Bearer " + JWTS.user(UUID.randomUUID())));
        busy.next("ready");
        idle.next("ready");
        String content = "gated drained answer ends";
        busy.send(Map.of("type", "chat", "id", "draining", "content", content));
        busy.next("stream_start");
        busy.next("stream_chunk");

        Thread closer = Thread.ofVirtual().start(replicaC::close);

        await().atMost(Duration.ofSeconds(10)).until(() -> idle.closeCode != null);
        assertThat(idle.closeCode)
                .as("a socket with no running stream closes at once")
                .isEqualTo(1001);
        assertThat(busy.closeCode)
                .as("the busy socket stays open while its stream runs")
                .isNull();
        gate(content).release(10);
        JsonNode end = busy.next("stream_end");
        assertThat(end.path("requestId").asString()).isEqualTo("draining");
        assertThat(end.path("cancelled").asBoolean())
                .as("ended by itself, not cancelled")
                .isFalse();
        await().atMost(Duration.ofSeconds(20)).until(() -> busy.closeCode != null);
        assertThat(busy.closeCode).isEqualTo(1001);
        await().atMost(Duration.ofSeconds(30)).until(() -> !closer.isAlive());
    }

    @Test
    @Order(7)
    void aGracefulShutdownHandsABusySocketOverAndTheStreamContinuesWhereTheClientResumes() {
        // a rolling restart must not wait for long answers nor cut them: after shutdown-handover the busy socket
        // closes 1001, its stream goes on on the stopping replica D, and the client resumes it on replica A
        ConfigurableApplicationContext replicaD = startReplica(
                env, "agency.gateway.realtime.shutdown-drain=20s", "agency.gateway.realtime.shutdown-handover=0s");
        URI d = URI.create("ws://localhost:" + portOf(replicaD) + "/ws");
        String token = JWTS.user(UUID.randomUUID());
        Client onD = Client.open(d, builder -> builder.header("Authorization", "Bearer " + token));
        String connectionId = onD.connectionId(onD.next("ready"));
        String content = "gated handed over and finished";
        onD.send(Map.of("type", "chat", "id", "handed", "content", content));
        onD.next("stream_start");
        long lastSeen = onD.next("stream_chunk").path("seq").asLong();

        Thread closer = Thread.ofVirtual().start(replicaD::close);
        await().atMost(Duration.ofSeconds(20)).until(() -> onD.closeCode != null);
        assertThat(onD.closeCode).as("closed while its stream still runs").isEqualTo(1001);

        Client onA = connect(token);
        onA.next("ready");
        onA.send(Map.of("type", "resume", "id", "r", "connectionId", connectionId, "afterSeq", lastSeen));
        onA.next("resumed");
        gate(content).release(10); // the rest is produced only now, on the stopping replica
        List<String> chunks = new ArrayList<>();
        JsonNode frame;
        do {
            frame = onA.next();
            if (frame.path("type").asString().equals("stream_chunk")) {
                chunks.add(frame.path("content").asString());
            }
        } while (!frame.path("type").asString().equals("stream_end"));
        assertThat(chunks).containsExactly("handed", "over", "and", "finished");
        assertThat(frame.path("requestId").asString()).isEqualTo("handed");
        assertThat(frame.path("cancelled").asBoolean())
                .as("ended by itself, not cancelled")
                .isFalse();
        await().atMost(Duration.ofSeconds(30)).until(() -> !closer.isAlive());
    }
}
