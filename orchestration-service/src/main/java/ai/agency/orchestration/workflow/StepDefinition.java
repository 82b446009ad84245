package ai.agency.orchestration.workflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * One step of a workflow definition ({@code api.md}).
 *
 * @param id unique within the workflow; referenced by {@code dependsOn}, templates and conditions
 * @param agentId the agent of an {@code agent} step
 * @param type {@code agent}, {@code tool}, {@code transform} or {@code approval}
 * @param input the step's input, with templates {@code {{input.x}}} and {@code {{steps.<id>.output.y}}}
 * @param dependsOn steps that must have succeeded or been skipped before this one starts
 * @param condition an expression over {@code input} and {@code steps}; false → the step is skipped
 * @param retry attempts and base backoff for failures of a recoverable error class
 * @param timeoutMs how long one attempt may take
 * @param approval whether a person must approve before the step runs
 * @param agentVersion the version of the agent an {@code agent} step runs (pinned); null for its current version
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepDefinition(
        String id,
        UUID agentId,
        String type,
        JsonNode input,
        List<String> dependsOn,
        String condition,
        Retry retry,
        Long timeoutMs,
        Boolean approval,
        Integer agentVersion) {

    static final List<String> TYPES = List.of("agent", "tool", "transform", "approval");

    /** A step that follows its agent's current version. */
    public StepDefinition(
            String id,
            UUID agentId,
            String type,
            JsonNode input,
            List<String> dependsOn,
            String condition,
            Retry retry,
            Long timeoutMs,
            Boolean approval) {
        this(id, agentId, type, input, dependsOn, condition, retry, timeoutMs, approval, null);
    }

    /** Retry policy: exponential backoff with jitter, {@code backoffMs · 2^(attempt-1)}. */
    public record Retry(Integer maxAttempts, Long backoffMs) {}

    List<String> dependencies() {
        return dependsOn == null ? List.of() : dependsOn;
    }

    int maxAttempts() {
        return retry == null || retry.maxAttempts() == null ? 1 : retry.maxAttempts();
    }

    long backoffMs() {
        return retry == null || retry.backoffMs() == null ? 1000 : retry.backoffMs();
    }

    boolean needsApproval() {
        return "approval".equals(type) || Boolean.TRUE.equals(approval);
    }
}
