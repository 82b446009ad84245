package ai.agency.orchestration.conversation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.UUID;

/**
 * A conversation of one user with one agent. {@code summary} is the running summary of the oldest
 * {@code summarizedMessages} messages, which no longer fit the prompt window (null while everything fits).
 */
public record Conversation(
        UUID id,
        @JsonIgnore UUID userId,
        UUID agentId,
        String title,
        String summary,
        @JsonIgnore int summarizedMessages,
        Instant createdAt,
        Instant updatedAt) {}
