package ai.agency.orchestration.agent;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * An agent: what it is told (system prompt), which model answers for it and which tools it may use. {@code version}
 * is the number of the content it carries: its current version, or the version a turn was pinned or assigned to.
 * {@code runningExperiment} is the agent's running A/B experiment (read with the agent, so that a turn of an agent
 * without one costs no extra statement), or null.
 */
public record Agent(
        UUID id,
        UUID ownerId,
        boolean shared,
        int version,
        String name,
        String description,
        List<String> capabilities,
        String systemPrompt,
        ModelSpec model,
        List<String> tools,
        Instant createdAt,
        Instant updatedAt,
        @JsonIgnore UUID runningExperiment) {

    /** The built-in assistant every user can talk to. */
    public static final UUID DEFAULT_ID = UUID.fromString("00000000-0000-0000-0000-000000000001");

    /** Which provider and model answer; null fields fall back to the service's defaults. */
    public record ModelSpec(String provider, String name, Double temperature) {}

    boolean visibleTo(UUID userId) {
        return shared || userId.equals(ownerId);
    }

    /** This agent with the content of {@code content} (a stored version): what a pinned or assigned turn runs. */
    public Agent as(AgentVersion content) {
        return new Agent(
                id,
                ownerId,
                shared,
                content.version(),
                content.name(),
                content.description(),
                content.capabilities(),
                content.systemPrompt(),
                content.model(),
                content.tools(),
                createdAt,
                content.createdAt(),
                runningExperiment);
    }
}
