package ai.agency.orchestration.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One persisted message: {@code role} user or assistant; an assistant message carries the tool calls it made (each
 * with its result), the memories it used, its {@code status} (complete, cancelled, failed) and token usage, and which agent version, provider and model produced it (and in which experiment, if one assigned the version).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StoredMessage(
        UUID id,
        UUID conversationId,
        String role,
        String content,
        JsonNode toolCalls,
        JsonNode memoriesUsed,
        String status,
        String provider,
        String model,
        Integer agentVersion,
        UUID experimentId,
        JsonNode usage,
        Instant createdAt) {

    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
}
