package ai.agency.orchestration.workflow;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A workflow definition owned by a user. */
public record Workflow(
        UUID id,
        UUID ownerId,
        String name,
        String description,
        List<StepDefinition> steps,
        Instant createdAt,
        Instant updatedAt) {}
