package ai.agency.orchestration.workflow;

import java.time.Instant;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/** The state of one step of a run. */
record RunStep(
        String stepId,
        int position,
        String type,
        String status,
        int attempts,
        Boolean approved,
        JsonNode approval,
        Instant nextAttemptAt,
        Instant startedAt,
        Instant completedAt,
        JsonNode output,
        JsonNode error) {

    static final String PENDING = "pending";
    static final String RUNNING = "running";
    static final String WAITING_APPROVAL = "waiting_approval";
    static final String SUCCEEDED = "succeeded";
    static final String FAILED = "failed";
    static final String SKIPPED = "skipped";
    static final String CANCELLED = "cancelled";

    static final Set<String> TERMINAL = Set.of(SUCCEEDED, FAILED, SKIPPED, CANCELLED);

    boolean finished() {
        return TERMINAL.contains(status);
    }
}
