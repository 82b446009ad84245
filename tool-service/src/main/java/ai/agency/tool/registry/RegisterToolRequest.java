package ai.agency.tool.registry;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Body of {@code POST /api/v1/tools} (admins): an HTTP tool. Header values are stored encrypted and never shown
 * again. {@code write} (default true) marks a tool that viewers may not run.
 */
public record RegisterToolRequest(
        @NotBlank
        @Pattern(regexp = "[a-z][a-z0-9_]{0,63}", message = "must be 1-64 of a-z, 0-9, '_', starting with a letter")
        String name,

        @NotBlank @Size(max = 1000) String description,
        @NotNull JsonNode parameters,
        @NotBlank @Size(max = 2048) String endpoint,

        @Pattern(regexp = "GET|POST|PUT|PATCH|DELETE", message = "must be GET, POST, PUT, PATCH or DELETE") @Nullable
        String method,

        @Size(max = 20) @Nullable Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 4096) String> headers,
        @Min(100) @Max(600_000) @Nullable Integer timeoutMs,
        @Nullable Boolean write) {}
