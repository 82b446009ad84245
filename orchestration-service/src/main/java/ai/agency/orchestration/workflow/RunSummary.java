package ai.agency.orchestration.workflow;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A run as listed by {@code GET /api/v1/runs}: its state and progress without the steps, input and output (read one
 * run for those).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record RunSummary(
        UUID id,
        UUID workflowId,
        UUID userId,
        String status,
        double progress,
        JsonNode error,
        Instant createdAt,
        Instant startedAt,
        Instant completedAt) {}
