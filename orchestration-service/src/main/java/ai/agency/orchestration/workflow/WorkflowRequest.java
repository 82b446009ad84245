package ai.agency.orchestration.workflow;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Body of {@code POST /api/v1/workflows}; the steps are checked by {@link WorkflowValidator}. */
record WorkflowRequest(
        @NotBlank @Size(max = 200) String name,
        @Size(max = 2000) String description,
        @NotEmpty @Size(max = 200) List<StepDefinition> steps) {}
