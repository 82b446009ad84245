package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.agency.gateway.RealtimeTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * {@code run.subscribe} / {@code run.unsubscribe}: real WebSocket clients against the gateway, which follows the
 * orchestration stub's {@code GET /api/v1/runs/{id}/events} as the connection's user.
 */
class RunEventsTest extends RealtimeTestSupport {

    private static final List<String[]> SUCCEEDING_RUN = List.of(
            new String[] {"run.started", "{\"status\":\"running\",\"progress\":0.0}"},
            new String[] {"step.started", "{\"stepId\":\"square\",\"status\":\"running\",\"attempt\":1}"},
            new String[] {"step.succeeded", "{\"stepId\":\"square\",\"status\":\"succeeded\",\"output\":49}"},
            new String[] {"run.succeeded", "{\"status\":\"succeeded\",\"progress\":1.0,\"output\":{\"n\":49}}"});

    private static String newRun(String ownerToken, List<String[]> events, int holdFrom, boolean keepOpen) {
        String runId = UUID.randomUUID().toString();
        RUNS.put(runId, new StubRun(ownerToken, events, holdFrom, keepOpen));
        return runId;
    }

    @Test
    void eachEventIsRelayedAsItArrivesAndTheSubscriptionEndsAfterTheFinalOne() {
        String token = JWTS.user(UUID.randomUUID());
        String runId = newRun(token, SUCCEEDING_RUN, 1, false); // every event after the first waits for a permit
        Client client = connect(token);
        JsonNode ready = client.next("ready");

        client.send(Map.of("type", "run.subscribe", "id", "s1", "runId", runId));
        List<JsonNode> relayed = new ArrayList<>();
        for (int i = 0; i < SUCCEEDING_RUN.size(); i++) {
            relayed.add(client.next());
            RUNS.get(runId).gate().release(); // the next event exists only once this one was seen
        }

        assertThat(relayed)
                .extracting(f -> f.path("type").asString())
                .containsExactly("run.started", "step.started", "step.succeeded", "run.succeeded");
        for (int i = 0; i < relayed.size(); i++) {
            JsonNode frame = relayed.get(i);
            assertThat(frame.path("requestId").asString()).isEqualTo("s1");
            assertThat(frame.path("runId").asString()).isEqualTo(runId);
            assertThat(frame.path("eventId").asLong()).isEqualTo(i + 1);
            assertThat(frame.path("seq").asLong()).isEqualTo(ready.path("seq").asLong() + i + 1);
        }
        assertThat(relayed.get(2).path("data").path("stepId").asString()).isEqualTo("square");
        assertThat(relayed.get(2).path("data").path("output").asInt()).isEqualTo(49);
        assertThat(relayed.get(3).path("data").path("output").path("n").asInt()).isEqualTo(49);
        assertThat(RUN_LAST_EVENT_IDS.get(runId)).isEmpty(); // no Last-Event-ID without afterEventId

        // the subscription ended with the run: nothing left to unsubscribe from
        client.send(Map.of("type", "run.unsubscribe", "id", "u1", "runId", runId));
        JsonNode gone = client.next();
        assertThat(gone.path("type").asString()).isEqualTo("error");
        assertThat(gone.path("errorType").asString()).isEqualTo("not_found");
        assertThat(gone.path("requestId").asString()).isEqualTo("u1");
    }

    @Test
    void afterEventIdIsSentAsLastEventIdAndOnlyLaterEventsAreRelayed() {
        String token = JWTS.user(UUID.randomUUID());
        String runId = newRun(token, SUCCEEDING_RUN, Integer.MAX_VALUE, false);
        Client client = connect(token);
        client.next("ready");

        client.send(Map.of("type", "run.subscribe", "id", "s1", "runId", runId, "afterEventId", 2));
        JsonNode third = client.next();
        JsonNode fourth = client.next();

        assertThat(RUN_LAST_EVENT_IDS.get(runId)).isEqualTo("2");
        assertThat(third.path("type").asString()).isEqualTo("step.succeeded");
        assertThat(third.path("eventId").asLong()).isEqualTo(3);
        assertThat(fourth.path("type").asString()).isEqualTo("run.succeeded");
        assertThat(fourth.path("eventId").asLong()).isEqualTo(4);

        // after the final event there is nothing more: the subscription ends at once, saying how the run ended
        client.send(Map.of("type", "run.subscribe", "id", "s2", "runId", runId, "afterEventId", "4"));
        JsonNode over = client.next();
        assertThat(RUN_LAST_EVENT_IDS.get(runId)).isEqualTo("4");
        assertThat(over.path("type").asString()).isEqualTo("run.unsubscribed");
        assertThat(over.path("requestId").asString()).isEqualTo("s2");
        assertThat(over.path("status").asString()).isEqualTo("succeeded");
    }

    @Test
    void aStreamThatBreaksOffBeforeTheFinalEventIsReportedWithTheLastEventId() {
        String token = JWTS.user(UUID.randomUUID());
        // orchestration's stream ends after two events although the run goes on (an instance stopping, say)
        String runId = newRun(token, SUCCEEDING_RUN.subList(0, 2), Integer.MAX_VALUE, false);
        Client client = connect(token);
        client.next("ready");

        client.send(Map.of("type", "run.subscribe", "id", "s1", "runId", runId));
        List<JsonNode> frames = List.of(client.next(), client.next(), client.next());

        assertThat(frames)
                .extracting(f -> f.path("type").asString())
                .containsExactly("run.started", "step.started", "error");
        assertThat(frames.get(2).path("errorType").asString()).isEqualTo("network");
        assertThat(frames.get(2).path("lastEventId").asLong()).isEqualTo(2);
        assertThat(frames.get(2).path("requestId").asString()).isEqualTo("s1");
        assertThat(frames.get(2).path("runId").asString()).isEqualTo(runId);
    }

    @Test
    void anotherUsersRunAndAnUnknownRunAreNotFound() {
        String owner = JWTS.user(UUID.randomUUID());
        String runId = newRun(owner, SUCCEEDING_RUN, Integer.MAX_VALUE, false);
        Client intruder = connect(JWTS.user(UUID.randomUUID()));
        intruder.next("ready");

        intruder.send(Map.of("type", "run.subscribe", "id", "s1", "runId", runId));
        JsonNode foreign = intruder.next();
        intruder.send(Map.of(
                "type", "run.subscribe", "id", "s2", "runId", UUID.randomUUID().toString()));
        JsonNode unknown = intruder.next();

        for (JsonNode error : List.of(foreign, unknown)) {
            assertThat(error.path("type").asString()).isEqualTo("error");
            assertThat(error.path("errorType").asString()).isEqualTo("not_found");
            assertThat(error.path("status").asInt()).isEqualTo(404);
        }
        assertThat(foreign.path("requestId").asString()).isEqualTo("s1");
        assertThat(foreign.path("runId").asString()).isEqualTo(runId);
        assertThat(unknown.path("requestId").asString()).isEqualTo("s2");
        // the failed subscription is gone: the connection still works and may subscribe to its own runs
        intruder.send(Map.of("type", "ping", "id", "p1"));
        assertThat(intruder.next().path("type").asString()).isEqualTo("pong");
    }

    @Test
    void unsubscribeStopsTheRelayAndClosesTheUpstreamStream() {
        String token = JWTS.user(UUID.randomUUID());
        String runId = newRun(
                token,
                List.of(
                        new String[] {"run.started", "{\"status\":\"running\"}"},
                        new String[] {"step.started", "{\"stepId\":\"a\"}"}),
                1,
                true);
        Client client = connect(token);
        client.next("ready");
        client.send(Map.of("type", "run.subscribe", "id", "s1", "runId", runId));
        assertThat(client.next().path("type").asString()).isEqualTo("run.started");

        client.send(Map.of("type", "run.unsubscribe", "id", "u1", "runId", runId));
        JsonNode ended = client.next();
        RUNS.get(runId).gate().release(); // the stub now writes step.started and keeps writing: nobody reads it

        assertThat(ended.path("type").asString()).isEqualTo("run.unsubscribed");
        assertThat(ended.path("requestId").asString()).isEqualTo("s1");
        assertThat(ended.path("runId").asString()).isEqualTo(runId);
        await().atMost(Duration.ofSeconds(15)).until(() -> RUN_STREAMS_CLOSED.contains(runId));
        client.send(Map.of("type", "ping", "id", "p1"));
        assertThat(client.next().path("type").asString()).isEqualTo("pong"); // step.started was never relayed
        client.send(Map.of("type", "run.unsubscribe", "id", "u2", "runId", runId));
        assertThat(client.next().path("errorType").asString()).isEqualTo("not_found");
        assertThat(client.all).noneMatch(f -> f.path("type").asString().equals("step.started"));
    }

    @Test
    void badRunFramesGetValidationErrorsAndSubscriptionsPerConnectionAreCapped() {
        String token = JWTS.user(UUID.randomUUID());
        Client client = connect(token);
        client.next("ready");

        client.send(Map.of("type", "run.subscribe", "id", "b1"));
        JsonNode noRun = client.next();
        client.send(Map.of("type", "run.subscribe", "id", "b2", "runId", "../../admin"));
        JsonNode notUuid = client.next();
        client.send(Map.of(
                "type", "run.subscribe", "id", "b3", "runId", UUID.randomUUID().toString(), "afterEventId", -1));
        JsonNode negative = client.next();
        client.send(Map.of(
                "type", "run.subscribe", "id", "b4", "runId", UUID.randomUUID().toString(), "afterEventId", "x"));
        JsonNode notNumber = client.next();
        client.send(Map.of("type", "run.unsubscribe", "id", "b5", "runId", 42));
        JsonNode badUnsubscribe = client.next();
        for (JsonNode error : List.of(noRun, notUuid, negative, notNumber, badUnsubscribe)) {
            assertThat(error.path("type").asString()).isEqualTo("error");
            assertThat(error.path("errorType").asString()).isEqualTo("validation");
        }
        assertThat(noRun.path("requestId").asString()).isEqualTo("b1");
        assertThat(noRun.path("message").asString()).contains("runId");
        assertThat(negative.path("message").asString()).contains("afterEventId");

        // the test context allows 2 open subscriptions per connection
        List<String> held = List.of(
                newRun(token, SUCCEEDING_RUN, 0, false),
                newRun(token, SUCCEEDING_RUN, 0, false),
                newRun(token, SUCCEEDING_RUN, 0, false));
        client.send(Map.of("type", "run.subscribe", "id", "h1", "runId", held.get(0)));
        client.send(Map.of("type", "run.subscribe", "id", "h2", "runId", held.get(1)));
        client.send(Map.of("type", "run.subscribe", "id", "h1-again", "runId", held.get(0)));
        JsonNode duplicate = client.next();
        client.send(Map.of("type", "run.subscribe", "id", "h3", "runId", held.get(2)));
        JsonNode overCap = client.next();

        assertThat(duplicate.path("errorType").asString()).isEqualTo("conflict");
        assertThat(duplicate.path("requestId").asString()).isEqualTo("h1-again");
        assertThat(overCap.path("errorType").asString()).isEqualTo("rate_limit");
        assertThat(overCap.path("requestId").asString()).isEqualTo("h3");
        assertThat(overCap.path("message").asString()).contains("At most 2");

        client.send(Map.of("type", "run.unsubscribe", "id", "u1", "runId", held.get(0)));
        assertThat(client.next().path("type").asString()).isEqualTo("run.unsubscribed");
        client.send(Map.of("type", "run.subscribe", "id", "h3", "runId", held.get(2))); // room again
        RUNS.get(held.get(2)).gate().release();
        JsonNode started = client.next();
        assertThat(started.path("type").asString()).isEqualTo("run.started");
        assertThat(started.path("requestId").asString()).isEqualTo("h3");

        client.send(Map.of("type", "run.unsubscribe", "runId", held.get(1)));
        client.send(Map.of("type", "run.unsubscribe", "runId", held.get(2)));
        assertThat(List.of(client.next(), client.next()))
                .extracting(f -> f.path("type").asString())
                .containsOnly("run.unsubscribed");
    }

    @Test
    void runFramesAreLoggedAndReplayedByResumeAndTheSubscriptionGoesOnOnTheNewConnection() {
        String token = JWTS.user(UUID.randomUUID());
        String runId = newRun(token, SUCCEEDING_RUN, 1, false);
        Client first = connect(token);
        String oldId = first.connectionId(first.next("ready"));
        first.send(Map.of("type", "run.subscribe", "id", "s1", "runId", runId));
        JsonNode started = first.next();
        assertThat(started.path("type").asString()).isEqualTo("run.started");
        first.ws.abort();

        RUNS.get(runId).gate().release(); // step.started is relayed while nobody is connected
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
                started.path("seq").asLong() - 1));

        List<JsonNode> frames = new ArrayList<>();
        JsonNode frame;
        do {
            frame = second.next();
            frames.add(frame);
            if (frame.path("type").asString().equals("resumed")) {
                RUNS.get(runId).gate().release(2);
            }
        } while (!frame.path("type").asString().equals("run.succeeded"));

        // the replay comes first (old seq), "resumed" follows it; whether step.started was logged before the resume
        // or arrives after it as a new frame depends on timing, but every event comes exactly once and in order
        assertThat(frames.get(0).path("type").asString()).isEqualTo("run.started");
        assertThat(frames.get(0).path("seq").asLong())
                .isEqualTo(started.path("seq").asLong());
        assertThat(frames)
                .extracting(f -> f.path("type").asString())
                .filteredOn(type -> !type.equals("resumed"))
                .containsExactly("run.started", "step.started", "step.succeeded", "run.succeeded");
        assertThat(frames).extracting(f -> f.path("type").asString()).containsOnlyOnce("resumed");
        assertThat(frames)
                .filteredOn(f -> !f.path("type").asString().equals("resumed"))
                .extracting(f -> f.path("eventId").asLong())
                .containsExactly(1L, 2L, 3L, 4L);
        assertThat(frames)
                .filteredOn(f -> !f.path("type").asString().equals("resumed"))
                .allMatch(f -> f.path("requestId").asString().equals("s1"));
    }
}
