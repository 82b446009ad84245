package ai.agency.orchestration.chat;

import java.util.LinkedHashMap;
import java.util.List;
import org.springframework.ai.chat.messages.AssistantMessage;

/**
 * Tool calls seen across streamed chunks: a call with an id is new (or replaces a repeated id); a fragment without id
 * and name continues the previous call's arguments; a named call without id is new.
 */
final class ToolCallMerger {

    private final LinkedHashMap<String, AssistantMessage.ToolCall> calls = new LinkedHashMap<>();
    private String lastId;

    void add(AssistantMessage.ToolCall call) {
        boolean named = call.name() != null && !call.name().isBlank();
        if ((call.id() == null || call.id().isBlank()) && named) {
            // a provider that sends whole calls without ids (Ollama): give each its own
            call = new AssistantMessage.ToolCall(
                    "call_" + (calls.size() + 1), call.type(), call.name(), call.arguments());
        }
        if (call.id() == null || call.id().isBlank()) {
            AssistantMessage.ToolCall previous = lastId == null ? null : calls.get(lastId);
            if (previous != null) {
                calls.put(
                        lastId,
                        new AssistantMessage.ToolCall(
                                previous.id(),
                                previous.type(),
                                previous.name(),
                                nullToEmpty(previous.arguments()) + nullToEmpty(call.arguments())));
            }
            return;
        }
        calls.put(call.id(), call);
        lastId = call.id();
    }

    /** The calls with a name, in the order they began. */
    List<AssistantMessage.ToolCall> result() {
        return calls.values().stream()
                .filter(c -> c.name() != null && !c.name().isBlank())
                .toList();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
