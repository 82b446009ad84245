package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * One streamed chat answer: relays each of orchestration's SSE events as its frame as soon as it arrives ({@code
 * start} → {@code stream_start}, {@code token} → {@code stream_chunk}, {@code memory}, {@code tool_call} and {@code
 * tool_result} → the frames of those names, {@code end} → {@code stream_end}, …) and
 * remembers what {@link ChatFrames} needs when the stream closes: the answer's {@code responseId} and whether a final
 * frame went out. Events after the final one are dropped. Fed on the one thread that reads the stream.
 */
final class ChatStream implements Downstream.EventSink {

    private final Connection connection;
    private final @Nullable String requestId;
    private final String conversationId;
    private final long receivedNanos;
    private final JsonMapper json;
    private final WsMetrics metrics;
    private final Map<String, String> toolNames = new HashMap<>(); // tool call id -> tool name, for its tool_result
    private @Nullable String responseId;
    private boolean chunked;
    private boolean ended;

    ChatStream(
            Connection connection,
            @Nullable String requestId,
            String conversationId,
            long receivedNanos,
            JsonMapper json,
            WsMetrics metrics) {
        this.connection = connection;
        this.requestId = requestId;
        this.conversationId = conversationId;
        this.receivedNanos = receivedNanos;
        this.json = json;
        this.metrics = metrics;
    }

    @Override
    public void accept(Downstream.SseEvent event) {
        if (ended) {
            return;
        }
        JsonNode data = event.data();
        switch (event.event()) {
            case "start" -> start(data);
            case "token" -> chunk(data);
            case "end" -> end(data);
            case "error" -> error(data);
            case "degraded" -> degraded(data);
            case "memory" -> memory(data);
            case "tool_call" -> toolCall(data);
            case "tool_result" -> toolResult(data);
            default -> other(event.event(), data);
        }
    }

    /** The answer's id ({@code stream_start}'s {@code responseId}), null before {@code start}. */
    @Nullable
    String responseId() {
        return responseId;
    }

    /** A {@code stream_end} or an {@code error} went out: the answer is over for the client. */
    boolean ended() {
        return ended;
    }

    private void start(JsonNode data) {
        responseId = data.path("messageId").asString(UUID.randomUUID().toString());
        connection.send(
                "stream_start",
                requestId,
                json.createObjectNode().put("responseId", responseId).put("conversationId", conversationId));
    }

    private void chunk(JsonNode data) {
        connection.send(
                "stream_chunk",
                requestId,
                json.createObjectNode()
                        .put("responseId", responseId)
                        .put("content", data.path("text").asString("")));
        if (!chunked) {
            chunked = true;
            metrics.firstChunk(receivedNanos);
        }
    }

    private void end(JsonNode data) {
        ended = true;
        ObjectNode fields = json.createObjectNode().put("responseId", responseId);
        fields.set("usage", data.path("usage").isMissingNode() ? null : data.get("usage"));
        connection.send("stream_end", requestId, fields);
    }

    private void error(JsonNode data) {
        ended = true;
        ObjectNode fields = json.createObjectNode()
                .put("errorType", data.path("errorType").asString(ErrorType.INTERNAL.code()))
                .put("message", data.path("message").asString("The answer failed"))
                .put("responseId", responseId);
        connection.send("error", requestId, fields);
    }

    /** A part of the turn could not run (memory recall, a tool call): api.md's own frame. */
    private void degraded(JsonNode data) {
        ObjectNode fields = json.createObjectNode().put("responseId", responseId);
        fields.set("skipped", data.path("skipped").isArray() ? data.get("skipped") : null);
        fields.put("reason", data.path("reason").asString(""));
        connection.send("degraded", requestId, fields);
    }

    /** The memories the turn recalled: api.md's {@code memory {responseId, used}} (plus {@code available}, {@code note}). */
    private void memory(JsonNode data) {
        ObjectNode fields = json.createObjectNode().put("responseId", responseId);
        fields.set("used", data.path("used").isArray() ? data.get("used") : json.createArrayNode());
        if (data.has("available")) {
            fields.set("available", data.get("available"));
        }
        if (data.has("note")) {
            fields.set("note", data.get("note"));
        }
        connection.send("memory", requestId, fields);
    }

    /** The model calls a tool: api.md's {@code tool_call {responseId, toolName, parameters}} (plus the call's id). */
    private void toolCall(JsonNode data) {
        String id = data.path("id").asString("");
        String name = data.path("name").asString("");
        toolNames.put(id, name);
        ObjectNode fields = json.createObjectNode()
                .put("responseId", responseId)
                .put("id", id)
                .put("toolName", name);
        fields.set("parameters", data.path("parameters").isObject() ? data.get("parameters") : json.createObjectNode());
        connection.send("tool_call", requestId, fields);
    }

    /**
     * A tool call's outcome: api.md's {@code tool_result {responseId, toolName, result}}, the result being
     * {@code {success, data}} or {@code {success: false, error}} (plus the call's id).
     */
    private void toolResult(JsonNode data) {
        String id = data.path("id").asString("");
        ObjectNode result = data.isObject() ? ((ObjectNode) data).deepCopy() : json.createObjectNode();
        result.remove("id");
        ObjectNode fields = json.createObjectNode()
                .put("responseId", responseId)
                .put("id", id)
                .put("toolName", toolNames.getOrDefault(id, ""));
        fields.set("result", result);
        connection.send("tool_result", requestId, fields);
    }

    /** An event of the turn that api.md does not name: relayed as it is, as {@code stream_event {event, data}}. */
    private void other(String event, JsonNode data) {
        ObjectNode fields =
                json.createObjectNode().put("responseId", responseId).put("event", event);
        fields.set("data", data);
        connection.send("stream_event", requestId, fields);
    }
}
