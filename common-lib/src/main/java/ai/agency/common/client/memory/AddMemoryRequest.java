package ai.agency.common.client.memory;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /api/v1/memories}: exactly one of {@code content} and {@code messages}; absent members are not
 * sent, so memory-service applies its defaults ({@code infer} true). {@code validFrom} is when the memory starts to
 * hold, {@code supersedes} the ids of current memories it closes (docs/memory.md, "Facts that change").
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AddMemoryRequest(
        @Nullable String content,
        @Nullable List<Message> messages,
        @Nullable String agentId,
        @Nullable String sessionId,
        @Nullable List<String> tags,
        @Nullable Double importance,
        @Nullable Map<String, Object> metadata,
        @Nullable Instant expiresAt,
        @Nullable Boolean infer,
        @Nullable Instant validFrom,
        @Nullable List<UUID> supersedes) {

    /** One chat message ({@code role}: user, assistant, system or tool). */
    public record Message(String role, String content) {}

    /** Facts for memory-service to extract from a conversation ({@code infer=true}), tagged with {@code metadata}. */
    public static AddMemoryRequest extractFrom(List<Message> messages, Map<String, Object> metadata) {
        return new AddMemoryRequest(null, messages, null, null, null, null, metadata, null, true, null, null);
    }
}
