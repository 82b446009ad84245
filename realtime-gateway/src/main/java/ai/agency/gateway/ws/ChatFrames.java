package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import ai.agency.gateway.GatewayProperties;
import java.io.IOException;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code chat {content, conversationId?, agentId?, stream?}}: creates the conversation when none is given, then asks
 * orchestration for the answer, streamed as it arrives ({@link ChatStream}) or as one {@code response}. A running
 * turn is cancelled by {@code cancel} (or a shutdown) and then ends with {@code stream_end {cancelled: true}}.
 */
@Component
class ChatFrames {

    /** One accepted chat frame, on its way to orchestration. */
    private record Turn(
            Connection connection,
            @Nullable String requestId,
            String key,
            @Nullable String conversationId,
            @Nullable String agentId,
            String content,
            boolean stream,
            Downstream.Cancel cancel,
            long receivedNanos) {}

    private final Downstream downstream;
    private final JsonMapper json;
    private final GatewayProperties.Realtime settings;
    private final WsMetrics metrics;
    private final ErrorFrames errors;
    private final RequestThreads threads;

    ChatFrames(
            Downstream downstream,
            JsonMapper json,
            GatewayProperties properties,
            WsMetrics metrics,
            ErrorFrames errors,
            RequestThreads threads) {
        this.downstream = downstream;
        this.json = json;
        this.settings = properties.realtime();
        this.metrics = metrics;
        this.errors = errors;
        this.threads = threads;
    }

    void chat(Connection connection, ClientFrame frame) {
        long receivedNanos = System.nanoTime();
        String requestId = frame.requestId();
        JsonNode content = frame.get("content");
        if (content == null || !content.isString() || content.asString().isBlank()) {
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "chat needs a non-blank 'content'");
            return;
        }
        // it becomes part of the downstream path: anything but a UUID is refused here, never sent on
        JsonNode givenConversation = frame.get("conversationId");
        boolean conversationGiven = givenConversation != null && !givenConversation.isNull();
        UUID conversationUuid = conversationGiven ? frame.uuid("conversationId") : null;
        if (conversationGiven && conversationUuid == null) {
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "'conversationId' must be a UUID");
            return;
        }
        String key = requestId != null ? requestId : "chat-" + UUID.randomUUID();
        Downstream.Cancel cancel = new Downstream.Cancel();
        if (connection.running().putIfAbsent(key, cancel) != null) {
            errors.error(connection, requestId, ErrorType.CONFLICT.code(), "A request with this id is still running");
            return;
        }
        Turn turn = new Turn(
                connection,
                requestId,
                key,
                conversationUuid == null ? null : conversationUuid.toString(),
                frame.string("agentId"),
                content.asString(),
                !frame.body().has("stream") || frame.get("stream").asBoolean(true),
                cancel,
                receivedNanos);
        threads.submit(() -> answer(turn));
    }

    private void answer(Turn turn) {
        Connection connection = turn.connection();
        try {
            String conversation = turn.conversationId();
            if (conversation == null) {
                Downstream.Answer created =
                        downstream.createConversation(connection.token(), turn.agentId(), turn.cancel());
                if (!created.ok()) {
                    errors.failed(connection, turn.requestId(), created);
                    return;
                }
                conversation = created.body().path("id").asString();
            }
            if (turn.stream()) {
                stream(turn, conversation);
            } else {
                respond(turn, conversation);
            }
        } catch (InterruptedException e) {
            Thread.interrupted();
            cancelled(connection, turn.requestId(), null);
        } catch (IOException | RuntimeException e) {
            Thread.interrupted();
            if (turn.cancel().cancelled()) {
                cancelled(connection, turn.requestId(), null);
            } else {
                errors.unavailable(connection, turn.requestId(), e);
            }
        } finally {
            connection.finished(turn.key());
        }
    }

    /** {@code stream: false}: the whole answer as one {@code response} frame. */
    private void respond(Turn turn, String conversation) throws IOException, InterruptedException {
        Connection connection = turn.connection();
        Downstream.Answer answer =
                downstream.sendMessage(connection.token(), conversation, turn.content(), turn.cancel());
        if (!answer.ok()) {
            errors.failed(connection, turn.requestId(), answer);
            return;
        }
        JsonNode message = answer.body().path("message");
        ObjectNode fields = json.createObjectNode()
                .put("content", message.path("content").asString(""))
                .put("conversationId", conversation);
        copy(message, "id", fields, "messageId");
        copy(message, "toolCalls", fields, "toolCalls");
        copy(message, "memoriesUsed", fields, "memoriesUsed");
        copy(answer.body(), "degraded", fields, "degraded"); // {skipped, reason}: a part did not run
        connection.send("response", turn.requestId(), fields);
    }

    /** Relays the answer as it arrives; a stream that closes without its final frame still gets one. */
    private void stream(Turn turn, String conversation) throws IOException, InterruptedException {
        Connection connection = turn.connection();
        ChatStream answer =
                new ChatStream(connection, turn.requestId(), conversation, turn.receivedNanos(), json, metrics);
        Downstream.Answer refused = downstream.streamMessage(
                connection.token(), conversation, turn.content(), settings.streamIdleTimeout(), turn.cancel(), answer);
        Thread.interrupted();
        if (refused != null) {
            errors.failed(connection, turn.requestId(), refused);
        } else if (!answer.ended() && turn.cancel().cancelled()) {
            cancelled(connection, turn.requestId(), answer.responseId());
        } else if (!answer.ended()) {
            errors.error(connection, turn.requestId(), ErrorType.NETWORK.code(), "The answer stream ended early");
        }
    }

    private void cancelled(Connection connection, @Nullable String requestId, @Nullable String responseId) {
        ObjectNode fields =
                json.createObjectNode().put("responseId", responseId).put("cancelled", true);
        fields.putNull("usage");
        connection.send("stream_end", requestId, fields);
    }

    private static void copy(JsonNode from, String field, ObjectNode to, String as) {
        JsonNode value = from.get(field);
        if (value != null) {
            to.set(as, value);
        }
    }
}
