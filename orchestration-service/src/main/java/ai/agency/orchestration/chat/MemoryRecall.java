package ai.agency.orchestration.chat;

import ai.agency.common.client.memory.AddMemoryRequest;
import ai.agency.common.client.memory.MemoryClient;
import ai.agency.common.client.memory.SearchMemoryRequest;
import ai.agency.common.client.memory.SearchMemoryResponse;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.OrchestrationProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Recalls the caller's memories for a message (memory-service search) and stores new ones after a turn. */
@Component
class MemoryRecall {

    private static final Logger log = LoggerFactory.getLogger(MemoryRecall.class);
    private static final int EXTRACT_ATTEMPTS = 3;
    private static final Duration EXTRACT_BACKOFF = Duration.ofMillis(500);

    private final MemoryClient memory;
    private final JsonMapper json;
    private final OrchestrationProperties properties;

    MemoryRecall(MemoryClient memory, JsonMapper json, OrchestrationProperties properties) {
        this.memory = memory;
        this.json = json;
        this.properties = properties;
    }

    /** What was recalled: {@code used} as {@code [{id, memory, score}]}; {@code available} false when recall failed. */
    record Recall(List<JsonNode> used, boolean available, String note) {

        List<String> texts() {
            return used.stream().map(m -> m.path("memory").asString()).toList();
        }
    }

    Recall recall(String bearer, String query) {
        if (properties.recallLimit() == 0) {
            return new Recall(List.of(), true, null);
        }
        SearchMemoryRequest search = SearchMemoryRequest.of(
                query.length() > 1000 ? query.substring(0, 1000) : query, properties.recallLimit());
        try {
            List<JsonNode> used = new ArrayList<>();
            for (SearchMemoryResponse.Hit hit : memory.search(bearer, search).results()) {
                ObjectNode kept = json.createObjectNode();
                kept.put("id", hit.id() == null ? null : hit.id().toString());
                kept.put("memory", hit.memory() == null ? "" : hit.memory());
                if (hit.score() != null) {
                    kept.put("score", hit.score());
                }
                used.add(kept);
            }
            return new Recall(used, true, null);
        } catch (RuntimeException e) {
            String type = ErrorClassifier.classify(e).code();
            log.warn("memory recall failed ({}); answering without memories", type);
            return new Recall(List.of(), false, "memory recall was unavailable (" + type + ")");
        }
    }

    /** Lets memory-service extract and store new memories from the turn (infer=true). */
    void extract(String bearer, String agentId, String conversationId, String userText, String answer) {
        List<AddMemoryRequest.Message> messages = new ArrayList<>();
        messages.add(new AddMemoryRequest.Message("user", userText));
        if (answer != null && !answer.isBlank()) {
            messages.add(new AddMemoryRequest.Message("assistant", answer));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("source", "chat");
        metadata.put("agentId", agentId);
        metadata.put("conversationId", conversationId);
        AddMemoryRequest body = AddMemoryRequest.extractFrom(messages, metadata);
        for (int attempt = 1; ; attempt++) {
            try {
                memory.add(bearer, body);
                return;
            } catch (RuntimeException e) {
                ErrorType type = ErrorClassifier.classify(e);
                // a busy or briefly unavailable memory-service gets the turn's facts a little later; adding the same
                // text again is safe (memory-service answers NOOP for a fact it already holds)
                if (!type.recoverable() || attempt >= EXTRACT_ATTEMPTS) {
                    log.warn("memory extraction failed ({}) after {} attempt(s)", type.code(), attempt);
                    return;
                }
                try {
                    Thread.sleep(EXTRACT_BACKOFF.multipliedBy(1L << (attempt - 1)));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
