package ai.agency.orchestration.experiment;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.Size;
import java.util.List;

/** Body of POST /api/v1/agents/{id}/experiments: 2–10 variants, each an existing version with a positive weight. */
record ExperimentRequest(
        @NotBlank @Size(max = 100) String name,
        @NotNull @Size(min = 2, max = 10) List<@NotNull @Valid VariantRequest> variants) {

    record VariantRequest(
            @NotNull @Min(1) Integer version,
            @NotNull @Positive @DecimalMax("1000000") Double weight) {}
}
