package ai.agency.gateway.ws;

import ai.agency.common.error.ErrorType;
import java.io.IOException;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code tool_call {toolName, parameters}}: runs the tool at tool-service as the connection's user and answers {@code
 * tool_result {toolName, result}}; a running call can be cancelled like a chat turn.
 */
@Component
class ToolCallFrames {

    private final Downstream downstream;
    private final JsonMapper json;
    private final ErrorFrames errors;
    private final RequestThreads threads;

    ToolCallFrames(Downstream downstream, JsonMapper json, ErrorFrames errors, RequestThreads threads) {
        this.downstream = downstream;
        this.json = json;
        this.errors = errors;
        this.threads = threads;
    }

    void call(Connection connection, ClientFrame frame) {
        String requestId = frame.requestId();
        String toolName = frame.string("toolName");
        if (toolName == null || !toolName.matches("[A-Za-z0-9_.-]{1,100}")) {
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "tool_call needs a valid 'toolName'");
            return;
        }
        JsonNode parameters = frame.get("parameters");
        if (parameters != null && !parameters.isObject() && !parameters.isNull()) {
            errors.error(connection, requestId, ErrorType.VALIDATION.code(), "'parameters' must be an object");
            return;
        }
        String key = requestId != null ? requestId : "tool-" + UUID.randomUUID();
        Downstream.Cancel cancel = new Downstream.Cancel();
        if (connection.running().putIfAbsent(key, cancel) != null) {
            errors.error(connection, requestId, ErrorType.CONFLICT.code(), "A request with this id is still running");
            return;
        }
        JsonNode given = parameters == null || parameters.isNull() ? null : parameters;
        threads.submit(() -> execute(connection, requestId, key, toolName, given, cancel));
    }

    private void execute(
            Connection connection,
            @Nullable String requestId,
            String key,
            String toolName,
            @Nullable JsonNode parameters,
            Downstream.Cancel cancel) {
        try {
            Downstream.Answer answer = downstream.executeTool(connection.token(), toolName, parameters, cancel);
            if (!answer.ok()) {
                errors.failed(connection, requestId, answer);
                return;
            }
            ObjectNode fields = json.createObjectNode().put("toolName", toolName);
            fields.set("result", answer.body());
            connection.send("tool_result", requestId, fields);
        } catch (InterruptedException e) {
            Thread.interrupted();
            errors.error(connection, requestId, "cancelled", "The tool call was cancelled");
        } catch (IOException | RuntimeException e) {
            Thread.interrupted();
            errors.unavailable(connection, requestId, e);
        } finally {
            connection.finished(key);
        }
    }
}
