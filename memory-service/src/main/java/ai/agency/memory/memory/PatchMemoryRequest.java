package ai.agency.memory.memory;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Body of {@code PATCH /api/v1/memories/{id}}: only the fields sent change. */
public record PatchMemoryRequest(
        @Nullable String memory,
        @Size(max = 32) @Nullable List<@NotBlank @Size(max = 64) String> tags,
        @DecimalMin("0") @DecimalMax("1") @Nullable Double importance,
        @Size(max = 64) @Nullable Map<String, Object> metadata,
        @Future @Nullable Instant expiresAt) {}
