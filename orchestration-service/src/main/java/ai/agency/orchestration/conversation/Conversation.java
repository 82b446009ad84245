package ai.agency.orchestration.conversation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.UUID;

/** A conversation of one user with one agent. */
public record Conversation(
        UUID id, @JsonIgnore UUID userId, UUID agentId, String title, Instant createdAt, Instant updatedAt) {}
