package ai.agency.tool.external;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Body of {@code POST /api/v1/tools/mcp-servers} (admins): an external MCP server speaking streamable HTTP at
 * {@code url}. Its tools are imported as {@code <name>__<tool>}. Header values (e.g. the server's own
 * {@code Authorization}) are stored encrypted and never shown again.
 */
public record RegisterMcpServerRequest(
        @NotBlank
        @Pattern(
                regexp = "[a-z][a-z0-9]{0,31}",
                message = "must be 1-32 of a-z, 0-9, starting with a letter (it prefixes the imported tools' names)")
        String name,

        @NotBlank @Size(max = 2048) String url,
        @Size(max = 20) @Nullable Map<@NotBlank @Size(max = 100) String, @NotNull @Size(max = 4096) String> headers,
        @Min(100) @Max(600_000) @Nullable Integer timeoutMs) {}
