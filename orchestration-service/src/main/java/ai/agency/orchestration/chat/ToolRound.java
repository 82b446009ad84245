package ai.agency.orchestration.chat;

import ai.agency.common.error.ErrorType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs the tool calls of one model step through their callbacks (tool-service, as the caller), in order: each is told
 * as {@code tool_call} and {@code tool_result}, kept for the stored answer, and its result goes back to the model. A
 * call that could not run degrades the turn ({@code degraded {skipped: ["tools"]}}); the model sees the failure as the
 * tool's result.
 */
@Component
class ToolRound {

    private final JsonMapper json;

    ToolRound(JsonMapper json) {
        this.json = json;
    }

    /** The tools' answers, for the model's next call. */
    ToolResponseMessage run(List<AssistantMessage.ToolCall> calls, Map<String, ToolCallback> byName, TurnState state) {
        List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
        for (AssistantMessage.ToolCall call : calls) {
            state.handle().check();
            responses.add(execute(call, byName.get(call.name()), state));
        }
        return ToolResponseMessage.builder().responses(responses).build();
    }

    private ToolResponseMessage.ToolResponse execute(
            AssistantMessage.ToolCall call, ToolCallback callback, TurnState state) {
        JsonNode parameters = parse(call.arguments());
        Map<String, Object> callEvent = new LinkedHashMap<>();
        callEvent.put("id", call.id());
        callEvent.put("name", call.name());
        callEvent.put("parameters", parameters);
        state.events().emit("tool_call", callEvent);
        String result = callback == null
                ? unknownTool(call.name())
                : callback.call(call.arguments() == null ? "{}" : call.arguments());
        ObjectNode outcome = outcome(parse(result));
        ObjectNode resultEvent = json.createObjectNode().put("id", call.id());
        resultEvent.setAll(outcome);
        state.events().emit("tool_result", resultEvent);
        String notRun = couldNotRun(call.name(), outcome);
        if (notRun != null) {
            // the model has the failure as the tool's result (and says so); the client learns it too
            state.degrade(Degraded.TOOLS, notRun);
        }
        ObjectNode stored = json.createObjectNode();
        stored.put("id", call.id());
        stored.put("name", call.name());
        stored.set("parameters", parameters);
        stored.set("result", outcome);
        state.addToolCall(stored);
        return new ToolResponseMessage.ToolResponse(call.id(), call.name(), result);
    }

    private JsonNode parse(String text) {
        try {
            return text == null || text.isBlank() ? json.createObjectNode() : json.readTree(text);
        } catch (RuntimeException e) {
            return json.getNodeFactory().stringNode(text);
        }
    }

    /** {@code {success, data}} or {@code {success, error}} from tool-service's envelope. */
    private ObjectNode outcome(JsonNode envelope) {
        ObjectNode outcome = json.createObjectNode();
        boolean success = envelope.path("success").asBoolean(false);
        outcome.put("success", success);
        if (success) {
            outcome.set("data", envelope.path("data"));
        } else {
            outcome.set(
                    "error",
                    envelope.has("error")
                            ? envelope.get("error")
                            : json.createObjectNode()
                                    .put("errorType", "internal")
                                    .put("message", "the tool gave no result"));
        }
        return outcome;
    }

    /**
     * Why a tool call could not run — refused (429), busy, timed out, circuit open, tool-service down: a failure that
     * may pass if tried later ({@link ErrorType#recoverable()}) — or null when the tool ran (a failure of bad input or
     * of the tool's own logic is its answer, not a degraded turn).
     */
    private static String couldNotRun(String tool, ObjectNode outcome) {
        if (outcome.path("success").asBoolean(false)) {
            return null;
        }
        JsonNode error = outcome.path("error");
        String code = error.path("errorType").asString("");
        for (ErrorType type : ErrorType.values()) {
            if (type.code().equals(code) && type.recoverable()) {
                return "tool " + tool + " could not run (" + code + "): "
                        + error.path("message").asString("no detail");
            }
        }
        return null;
    }

    private String unknownTool(String name) {
        ObjectNode envelope = json.createObjectNode().put("tool", name).put("success", false);
        envelope.putObject("error")
                .put("errorType", "not_found")
                .put("message", "no tool named '" + name + "' is available to this agent");
        return json.writeValueAsString(envelope);
    }
}
