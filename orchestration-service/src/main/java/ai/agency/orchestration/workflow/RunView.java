package ai.agency.orchestration.workflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/** {@code GET /api/v1/runs/{id}}: the run with its progress (finished steps / steps) and each step's state. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RunView(
        UUID id,
        UUID workflowId,
        String status,
        double progress,
        List<StepView> steps,
        JsonNode input,
        JsonNode output,
        JsonNode error,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt) {

    /** One step: status, attempts so far, timings, output or (last) error, and the approval decision. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record StepView(
            String id,
            String type,
            String status,
            int attempts,
            Instant startedAt,
            Instant completedAt,
            JsonNode output,
            JsonNode error,
            JsonNode approval) {

        static StepView of(RunStep step) {
            return new StepView(
                    step.stepId(),
                    step.type(),
                    step.status(),
                    step.attempts(),
                    step.startedAt(),
                    step.completedAt(),
                    step.output(),
                    step.error(),
                    step.approval());
        }
    }
}
