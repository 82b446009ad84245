package ai.agency.gateway.ws;

import static org.assertj.core.api.Assertions.assertThat;

import ai.agency.gateway.RealtimeTestSupport;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A client resumes a connection whose replica was killed (chaos scenario gateway-kill): the frames that replica
 * logged are all the log holds, and no replica answers the takeover. The streams it was relaying must still end on
 * the new connection instead of leaving the client waiting for ever (before: 100 of 100 cut turns never ended).
 */
class DeadReplicaResumeTest extends RealtimeTestSupport {

    @Autowired
    ReplayLog replayLog;

    @Test
    void aStreamCutByAKilledReplicaEndsWithTheRestOfTheStoredAnswer() {
        UUID user = UUID.randomUUID();
        UUID dead = UUID.randomUUID();
        String conversation = UUID.randomUUID().toString();
        String responseId = UUID.randomUUID().toString();
        logWhatTheDeadReplicaSent(dead, user, conversation, responseId);
        STORED_MESSAGES.put(
                conversation,
                List.of(
                        Map.of("id", UUID.randomUUID().toString(), "role", "user", "content", "hi"),
                        Map.of("id", responseId, "role", "assistant", "content", "Hello brave new world")));

        Client client = connect(JWTS.user(user));
        client.next("ready");
        client.send(Map.of("type", "resume", "id", "r", "connectionId", dead.toString(), "afterSeq", 2));

        assertThat(client.next("stream_chunk").path("content").asString()).isEqualTo("Hello "); // replayed, seq 3
        client.next("resumed");
        JsonNode rest = client.next("stream_chunk");
        JsonNode end = client.next("stream_end");

        assertThat(rest.path("content").asString()).isEqualTo("brave new world");
        assertThat(rest.path("requestId").asString()).isEqualTo("q");
        assertThat(end.path("requestId").asString()).isEqualTo("q");
        assertThat(end.path("responseId").asString()).isEqualTo(responseId);
        assertThat(end.path("recovered").asBoolean()).isTrue();
    }

    @Test
    void aStreamCutByAKilledReplicaWithNoStoredAnswerEndsWithStreamInterrupted() {
        UUID user = UUID.randomUUID();
        UUID dead = UUID.randomUUID();
        String conversation = UUID.randomUUID().toString();
        String responseId = UUID.randomUUID().toString();
        logWhatTheDeadReplicaSent(dead, user, conversation, responseId);

        Client client = connect(JWTS.user(user));
        client.next("ready");
        client.send(Map.of("type", "resume", "id", "r", "connectionId", dead.toString(), "afterSeq", 3));
        client.next("resumed");
        JsonNode error = client.next("error");

        assertThat(error.path("errorType").asString()).isEqualTo("stream_interrupted");
        assertThat(error.path("requestId").asString()).isEqualTo("q");
        assertThat(error.path("responseId").asString()).isEqualTo(responseId);
        assertThat(error.path("conversationId").asString()).isEqualTo(conversation);
    }

    private void logWhatTheDeadReplicaSent(UUID dead, UUID user, String conversation, String responseId) {
        replayLog.append(dead, user, 1, "{\"type\":\"ready\",\"seq\":1,\"connectionId\":\"" + dead + "\"}");
        replayLog.append(
                dead,
                user,
                2,
                "{\"type\":\"stream_start\",\"seq\":2,\"requestId\":\"q\",\"responseId\":\"" + responseId
                        + "\",\"conversationId\":\"" + conversation + "\"}");
        replayLog.append(
                dead,
                user,
                3,
                "{\"type\":\"stream_chunk\",\"seq\":3,\"requestId\":\"q\",\"responseId\":\"" + responseId
                        + "\",\"content\":\"Hello \"}");
    }
}
