package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.gateway.RealtimeTestSupport;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Real WebSocket clients against the gateway, with stub services behind it. */
class WebSocketProtocolTest extends RealtimeTestSupport {

    @Test
    void aTicketHandshakeSelectsTheProtocolAndTheTicketCannotBeUsedTwice() {
        UUID user = UUID.randomUUID();
        TICKETS.put("agt_one", JWTS.user(user));

        Client client = Client.open(wsUri(), b -> b.subprotocols("agency.v1", "ticket.agt_one"));
        JsonNode ready = client.next();

        assertThat(client.ws.getSubprotocol()).isEqualTo("agency.v1");
        assertThat(ready.path("type").asString()).isEqualTo("ready");
        assertThat(ready.path("seq").asLong()).isEqualTo(1);
        assertThat(ready.path("userId").asString()).isEqualTo(user.toString());
        assertThat(ready.path("ts").asString()).isNotBlank();
        assertThat(UUID.fromString(ready.path("connectionId").asString())).isNotNull();
        assertThat(refusal(() -> Client.open(wsUri(), b -> b.subprotocols("agency.v1", "ticket.agt_one"))))
                .isEqualTo(401);
    }

    @Test
    void handshakesWithoutOrWithForgedCredentialsAreRefused() {
        assertThat(refusal(() -> Client.open(wsUri(), b -> {}))).isEqualTo(401);
        assertThat(refusal(() -> connect(JWTS.foreign().user(UUID.randomUUID()))))
                .isEqualTo(401);
        assertThat(refusal(() -> Client.open(wsUri(), b -> b.subprotocols("agency.v1", "ticket.agt_unknown"))))
                .isEqualTo(401);
    }

    @Test
    void aUserMayHoldOnlyTheConfiguredNumberOfConnections() {
        String token = JWTS.user(UUID.randomUUID());
        for (int i = 0; i < 3; i++) {
            connect(token).next("ready");
        }
        assertThat(refusal(() -> connect(token))).isEqualTo(429);
    }

    @Test
    void pingIsAnsweredWithPongCarryingTheRequestIdAndSeqGrowsByOne() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        JsonNode ready = client.next("ready");

        client.send(Map.of("type", "ping", "id", "p1"));
        JsonNode pong = client.next();
        client.send(Map.of("type", "ping", "id", "p2"));
        JsonNode second = client.next();

        assertThat(pong.path("type").asString()).isEqualTo("pong");
        assertThat(pong.path("requestId").asString()).isEqualTo("p1");
        assertThat(pong.path("seq").asLong()).isEqualTo(ready.path("seq").asLong() + 1);
        assertThat(second.path("requestId").asString()).isEqualTo("p2");
        assertThat(second.path("seq").asLong()).isEqualTo(pong.path("seq").asLong() + 1);
    }

    @Test
    void hostileFramesGetErrorFramesAndTheConnectionStaysUsable() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send("this is not json");
        assertThat(client.next().path("errorType").asString()).isEqualTo("validation");
        client.send("[1,2,3]");
        assertThat(client.next().path("errorType").asString()).isEqualTo("validation");
        client.send("{\"type\":\"teleport\",\"id\":\"u1\"}");
        JsonNode unknown = client.next();
        assertThat(unknown.path("type").asString()).isEqualTo("error");
        assertThat(unknown.path("requestId").asString()).isEqualTo("u1");
        assertThat(unknown.path("message").asString()).contains("teleport");
        client.send("{\"type\":\"chat\",\"id\":\"c1\"}");
        JsonNode missing = client.next();
        assertThat(missing.path("errorType").asString()).isEqualTo("validation");
        assertThat(missing.path("requestId").asString()).isEqualTo("c1");
        client.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000) + "\"}");
        JsonNode tooLarge = client.next();
        assertThat(tooLarge.path("errorType").asString()).isEqualTo("validation");
        assertThat(tooLarge.path("message").asString()).contains("too large");

        client.send(Map.of("type", "ping", "id", "still-here"));
        assertThat(client.next().path("type").asString()).isEqualTo("pong");
        assertThat(client.closeCode).isNull();
    }

    @Test
    void aConversationIdThatIsNotAUuidGetsAnErrorFrameAndNothingIsSentDownstream() {
        String token = JWTS.user(UUID.randomUUID());
        Client client = connect(token);
        client.next("ready");

        List<Object> hostile = List.of(
                "../../admin/users",
                "x",
                "",
                UUID.randomUUID() + "/../../tools",
                UUID.randomUUID() + "?stream=false",
                "%2e%2e%2fadmin",
                42,
                Map.of("id", UUID.randomUUID().toString()),
                List.of(UUID.randomUUID().toString()));
        for (int i = 0; i < hostile.size(); i++) {
            client.send(Map.of(
                    "type",
                    "chat",
                    "id",
                    "h" + i,
                    "content",
                    "hello",
                    "stream",
                    false,
                    "conversationId",
                    hostile.get(i)));
            JsonNode refused = client.next();
            assertThat(refused.path("type").asString()).as("%s", hostile.get(i)).isEqualTo("error");
            assertThat(refused.path("errorType").asString()).isEqualTo("validation");
            assertThat(refused.path("requestId").asString()).isEqualTo("h" + i);
            assertThat(refused.path("message").asString()).contains("conversationId");
        }
        assertThat(SEEN_TOKENS).doesNotContain("Bearer " + token);

        // the connection is still open, and a real UUID (or none) is sent on
        client.send(Map.of(
                "type",
                "chat",
                "id",
                "ok",
                "content",
                "hello",
                "stream",
                false,
                "conversationId",
                UUID.randomUUID().toString()));
        assertThat(client.next().path("type").asString()).isEqualTo("response");
        assertThat(SEEN_TOKENS).contains("Bearer " + token);
        assertThat(client.closeCode).isNull();
    }

    @Test
    void aNonStreamingChatIsAnsweredAsTheConnectedUser() {
        String token = JWTS.user(UUID.randomUUID());
        Client client = connect(token);
        client.next("ready");

        client.send(Map.of("type", "chat", "id", "c1", "content", "hello", "stream", false));
        JsonNode response = client.next();

        assertThat(response.path("type").asString()).isEqualTo("response");
        assertThat(response.path("requestId").asString()).isEqualTo("c1");
        assertThat(response.path("content").asString()).isEqualTo("echo: hello");
        assertThat(response.path("conversationId").asString()).isNotBlank();
        assertThat(SEEN_TOKENS).contains("Bearer " + token);
    }

    @Test
    void aDownstreamRefusalBecomesAnErrorFrame() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of(
                "type",
                "chat",
                "id",
                "c1",
                "content",
                "forbidden",
                "conversationId",
                UUID.randomUUID().toString()));
        JsonNode error = client.next();

        assertThat(error.path("type").asString()).isEqualTo("error");
        assertThat(error.path("errorType").asString()).isEqualTo("authorization");
        assertThat(error.path("requestId").asString()).isEqualTo("c1");
    }

    @Test
    void aTurnThatSkippedAToolIsRelayedAsADegradedFrame() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of("type", "chat", "id", "d1", "content", "calculator busy"));
        List<JsonNode> frames = client.framesUntil("stream_end");

        assertThat(frames)
                .extracting(f -> f.path("type").asString())
                .containsExactly("stream_start", "stream_chunk", "stream_chunk", "degraded", "stream_end");
        JsonNode degraded = frames.get(3);
        assertThat(degraded.path("requestId").asString()).isEqualTo("d1");
        assertThat(degraded.path("responseId").asString())
                .isEqualTo(frames.getFirst().path("responseId").asString());
        assertThat(degraded.path("skipped").toString()).isEqualTo("[\"tools\"]");
        assertThat(degraded.path("reason").asString()).contains("rate_limit");
    }

    @Test
    void aStreamedTurnRelaysItsMemoryToolCallAndToolResultAsTheContractsOwnFrames() {
        // api.md: memory {responseId, used}, tool_call {responseId, toolName, parameters}, tool_result {toolName,
        // result}; the gateway used to send all three as its own stream_event {event, data}
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of("type", "chat", "id", "m1", "content", "recall calc done"));
        List<JsonNode> frames = client.framesUntil("stream_end");

        assertThat(frames)
                .extracting(f -> f.path("type").asString())
                .containsExactly(
                        "stream_start",
                        "stream_chunk",
                        "memory",
                        "stream_chunk",
                        "tool_call",
                        "tool_result",
                        "stream_chunk",
                        "stream_end");
        String responseId = frames.getFirst().path("responseId").asString();
        JsonNode memory = frames.get(2);
        assertThat(memory.path("responseId").asString()).isEqualTo(responseId);
        assertThat(memory.path("used").get(0).path("memory").asString()).isEqualTo("likes tea");
        JsonNode call = frames.get(4);
        assertThat(call.path("toolName").asString()).isEqualTo("calculator");
        assertThat(call.path("parameters").path("expression").asString()).isEqualTo("17*23");
        assertThat(call.path("responseId").asString()).isEqualTo(responseId);
        JsonNode result = frames.get(5);
        assertThat(result.path("toolName").asString())
                .as("named after its call")
                .isEqualTo("calculator");
        assertThat(result.path("result").path("success").asBoolean()).isTrue();
        assertThat(result.path("result").path("data").path("result").asDouble()).isEqualTo(391.0);
        assertThat(result.path("requestId").asString()).isEqualTo("m1");
        assertThat(frames).noneMatch(f -> f.path("type").asString().equals("stream_event"));
    }

    @Test
    void aTurnShedByOrchestrationTellsTheClientWhenToRetry() {
        // before, the error frame said rate_limit but not when: clients retried at once and were shed again
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of("type", "chat", "id", "r1", "content", "shed"));
        JsonNode error = client.next("error");

        assertThat(error.path("requestId").asString()).isEqualTo("r1");
        assertThat(error.path("errorType").asString()).isEqualTo("rate_limit");
        assertThat(error.path("status").asInt()).isEqualTo(429);
        assertThat(error.path("retryAfter").asLong()).isEqualTo(3);
    }

    @Test
    void aStreamIsRelayedTokenByTokenAsItArrives() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of("type", "chat", "id", "s1", "content", "gated two tool three"));
        JsonNode start = client.next();
        JsonNode first = client.next();
        // the stub holds the second token until the test lets it go: the first was relayed before it existed
        assertThat(start.path("type").asString()).isEqualTo("stream_start");
        assertThat(first.path("type").asString()).isEqualTo("stream_chunk");
        assertThat(first.path("content").asString()).isEqualTo("gated");
        assertThat(client.frames).isEmpty();

        gate("gated two tool three").release(3);
        List<JsonNode> rest = client.framesUntil("stream_end");

        assertThat(rest)
                .extracting(f -> f.path("type").asString())
                .containsExactly("stream_chunk", "stream_chunk", "tool_call", "stream_chunk", "stream_end");
        assertThat(rest)
                .filteredOn(f -> f.path("type").asString().equals("stream_chunk"))
                .extracting(f -> f.path("content").asString())
                .containsExactly("two", "tool", "three");
        // api.md's frame, not the gateway's own stream_event {event, data} it used to relay
        assertThat(rest.get(2).path("toolName").asString()).isEqualTo("calculator");
        assertThat(rest.get(2).path("responseId").asString())
                .isEqualTo(start.path("responseId").asString());
        assertThat(rest.get(2).path("parameters").isObject()).isTrue();
        assertThat(rest.getLast().path("usage").path("outputTokens").asInt()).isEqualTo(4);
        long seq = first.path("seq").asLong();
        for (JsonNode f : rest) {
            assertThat(f.path("seq").asLong()).isEqualTo(++seq);
            assertThat(f.path("requestId").asString()).isEqualTo("s1");
            assertThat(f.path("responseId").asString())
                    .isEqualTo(start.path("responseId").asString());
        }
    }

    @Test
    void aStreamErrorIsAnErrorFrame() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of("type", "chat", "id", "s1", "content", "please fail"));
        JsonNode error = client.next("error");

        assertThat(error.path("errorType").asString()).isEqualTo("service_unavailable");
        assertThat(error.path("requestId").asString()).isEqualTo("s1");
    }

    @Test
    void cancelEndsARunningStream() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");
        client.send(Map.of("type", "chat", "id", "s1", "content", "gated never finishes"));
        client.next("stream_chunk");

        client.send(Map.of("type", "cancel", "id", "x1", "requestId", "s1"));
        JsonNode end = client.next();

        assertThat(end.path("type").asString()).isEqualTo("stream_end");
        assertThat(end.path("requestId").asString()).isEqualTo("s1");
        assertThat(end.path("cancelled").asBoolean()).isTrue();
        client.send(Map.of("type", "cancel", "id", "x2", "requestId", "s1"));
        assertThat(client.next().path("errorType").asString()).isEqualTo("not_found");
    }

    @Test
    void aToolCallIsExecutedByToolService() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of("type", "tool_call", "id", "t1", "toolName", "calculator", "parameters", Map.of("x", 2)));
        JsonNode result = client.next();
        client.send(Map.of("type", "tool_call", "id", "t2", "toolName", "missing"));
        JsonNode missing = client.next();

        assertThat(result.path("type").asString()).isEqualTo("tool_result");
        assertThat(result.path("requestId").asString()).isEqualTo("t1");
        assertThat(result.path("toolName").asString()).isEqualTo("calculator");
        assertThat(result.path("result").path("success").asBoolean()).isTrue();
        assertThat(result.path("result").path("data").path("x").asInt()).isEqualTo(2);
        assertThat(missing.path("errorType").asString()).isEqualTo("not_found");
        assertThat(missing.path("requestId").asString()).isEqualTo("t2");
    }

    @Test
    void resumeReplaysMissedFramesWithTheirSeqAndTheStreamGoesOnOnTheNewConnection() {
        String token = JWTS.user(UUID.randomUUID());
        Client first = connect(token);
        String oldId = first.connectionId(first.next("ready"));
        first.send(Map.of("type", "chat", "id", "s1", "content", "gated b c d"));
        JsonNode start = first.next("stream_start");
        first.next("stream_chunk");
        first.ws.abort(); // the connection drops; the client saw up to stream_start... and one chunk, but says less

        gate("gated b c d").release(1); // token "b" is produced while nobody is connected
        Client second = connect(token);
        second.next("ready");
        second.send(Map.of(
                "type",
                "resume",
                "id",
                "r1",
                "connectionId",
                oldId,
                "afterSeq",
                start.path("seq").asLong()));

        JsonNode replayedA = second.next();
        assertThat(replayedA.path("type").asString()).isEqualTo("stream_chunk");
        assertThat(replayedA.path("content").asString()).isEqualTo("gated");
        assertThat(replayedA.path("seq").asLong()).isEqualTo(start.path("seq").asLong() + 1);
        List<String> chunks = new ArrayList<>(List.of("gated"));
        JsonNode frame;
        do {
            frame = second.next();
            if (frame.path("type").asString().equals("stream_chunk")) {
                chunks.add(frame.path("content").asString());
            }
            if (frame.path("type").asString().equals("resumed")) {
                gate("gated b c d").release(2);
            }
        } while (!frame.path("type").asString().equals("stream_end"));

        assertThat(chunks).containsExactly("gated", "b", "c", "d");
        assertThat(frame.path("requestId").asString()).isEqualTo("s1");
    }

    @Test
    void resumeOfAnUnknownOrSomeoneElsesConnectionIsExpired() {
        Client other = connect(JWTS.user(UUID.randomUUID()));
        String othersId = other.connectionId(other.next("ready"));
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        client.send(Map.of(
                "type", "resume", "id", "r1", "connectionId", UUID.randomUUID().toString(), "afterSeq", 0));
        JsonNode unknown = client.next();
        client.send(Map.of("type", "resume", "id", "r2", "connectionId", othersId, "afterSeq", 0));
        JsonNode foreign = client.next();

        assertThat(unknown.path("errorType").asString()).isEqualTo("resume_expired");
        assertThat(unknown.path("requestId").asString()).isEqualTo("r1");
        assertThat(foreign.path("errorType").asString()).isEqualTo("resume_expired");
    }

    @Test
    void tooManyFramesGetRateLimitErrorsAndTheConnectionStaysOpen() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        for (int i = 0; i < 60; i++) {
            client.send(Map.of("type", "ping", "id", "p" + i));
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> client.all.size() >= 61);
        assertThat(client.all)
                .anySatisfy(f -> assertThat(f.path("errorType").asString()).isEqualTo("rate_limit"));
        assertThat(client.closeCode).isNull();
    }

    @Test
    void theServerPingsEachConnection() {
        Client client = connect(JWTS.user(UUID.randomUUID()));
        client.next("ready");

        await().atMost(Duration.ofSeconds(10)).until(() -> client.pings.get() >= 2);
        assertThat(client.closeCode).isNull();
    }

    private static int refusal(Runnable open) {
        Throwable thrown = null;
        try {
            open.run();
        } catch (CompletionException e) {
            thrown = e.getCause();
        }
        assertThat(thrown).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) thrown).getResponse().statusCode();
    }
}
