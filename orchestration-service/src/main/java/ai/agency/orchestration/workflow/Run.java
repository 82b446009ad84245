package ai.agency.orchestration.workflow;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** A run of a workflow as stored: a snapshot of the steps it executes and the caller it acts as. */
record Run(
        UUID id,
        UUID workflowId,
        UUID userId,
        String status,
        JsonNode input,
        List<StepDefinition> steps,
        JsonNode output,
        JsonNode error,
        JsonNode caller,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt) {

    static final String QUEUED = "queued";
    static final String RUNNING = "running";
    static final String WAITING_APPROVAL = "waiting_approval";
    static final String SUCCEEDED = "succeeded";
    static final String FAILED = "failed";
    static final String CANCELLED = "cancelled";

    static final Set<String> ACTIVE = Set.of(QUEUED, RUNNING, WAITING_APPROVAL);

    Run withStatus(String newStatus) {
        return new Run(
                id,
                workflowId,
                userId,
                newStatus,
                input,
                steps,
                output,
                error,
                caller,
                createdAt,
                startedAt,
                completedAt);
    }

    boolean finished() {
        return !ACTIVE.contains(status);
    }
}
