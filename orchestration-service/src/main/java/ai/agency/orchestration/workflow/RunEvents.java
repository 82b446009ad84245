package ai.agency.orchestration.workflow;

import java.util.UUID;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The data of a run's events ({@code run.*}, {@code step.*}) and of a step's error, as stored in {@code run_events}
 * and streamed to clients — built in one place so that the engine and people's actions (cancel, reject) agree.
 */
@Component
class RunEvents {

    private final JsonMapper json;

    RunEvents(JsonMapper json) {
        this.json = json;
    }

    /** {@code {runId, status, progress, output?, error?}}: the data of a {@code run.*} event. */
    ObjectNode run(UUID runId, String status, double progress, JsonNode output, JsonNode error) {
        ObjectNode data = json.createObjectNode()
                .put("runId", runId.toString())
                .put("status", status)
                .put("progress", progress);
        if (output != null) {
            data.set("output", output);
        }
        if (error != null) {
            data.set("error", error);
        }
        return data;
    }

    /** {@code {runId, stepId, status, attempt?}}: the common data of a {@code step.*} event (no attempt when 0). */
    ObjectNode step(UUID runId, String stepId, String status, int attempt) {
        ObjectNode data = json.createObjectNode()
                .put("runId", runId.toString())
                .put("stepId", stepId)
                .put("status", status);
        if (attempt > 0) {
            data.put("attempt", attempt);
        }
        return data;
    }

    /** {@code {stepId, errorType, message, timedOut?}}: a step's error, on the step, its event and a failed run. */
    ObjectNode error(StepDefinition step, StepFailure failure) {
        ObjectNode error = json.createObjectNode()
                .put("stepId", step.id())
                .put("errorType", failure.type().code())
                .put("message", failure.getMessage());
        if (failure.timedOut()) {
            error.put("timedOut", true);
        }
        return error;
    }
}
