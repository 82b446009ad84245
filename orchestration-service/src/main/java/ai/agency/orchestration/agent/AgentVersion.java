package ai.agency.orchestration.agent;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One immutable version of an agent's content, numbered from 1 per agent, with who made it and when ({@code createdBy}
 * null for the platform's own, such as the built-in assistant's first version).
 */
public record AgentVersion(
        int version,
        Instant createdAt,
        UUID createdBy,
        String name,
        String description,
        List<String> capabilities,
        String systemPrompt,
        Agent.ModelSpec model,
        List<String> tools) {

    /** One field that differs between two versions: its value in the older ({@code old}) and the newer one. */
    public record Change(
            String field, Object old, @JsonProperty("new") Object newValue) {}

    /** What changed from this version to {@code other}, field by field (model fields as {@code model.provider} …). */
    List<Change> changesTo(AgentVersion other) {
        List<Change> changes = new ArrayList<>();
        compare(changes, "name", name, other.name);
        compare(changes, "description", description, other.description);
        compare(changes, "capabilities", capabilities, other.capabilities);
        compare(changes, "systemPrompt", systemPrompt, other.systemPrompt);
        compare(changes, "model.provider", model.provider(), other.model.provider());
        compare(changes, "model.name", model.name(), other.model.name());
        compare(changes, "model.temperature", model.temperature(), other.model.temperature());
        compare(changes, "tools", tools, other.tools);
        return changes;
    }

    private static void compare(List<Change> changes, String field, Object old, Object now) {
        if (!Objects.equals(old, now)) {
            changes.add(new Change(field, old, now));
        }
    }
}
