package ai.agency.common.client.tool;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A tool as tool-service lists it. {@code parameters} is the tool's JSON Schema, passed on as it is; {@code source}
 * is {@code builtin}, {@code http} or {@code mcp}; {@code write} whether the tool changes data (viewers may not run
 * it). {@code endpoint}, {@code method} and {@code headerNames} are shown to admins only. A tool whose {@code enabled}
 * is absent counts as enabled (tool-service lists only enabled tools to non-admins).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolInfo(
        String name,
        String description,
        JsonNode parameters,
        String source,
        @Nullable Boolean enabled,
        @Nullable Boolean write,
        @Nullable Integer timeoutMs,
        @Nullable String endpoint,
        @Nullable String method,
        @Nullable List<String> headerNames) {

    /** Whether the tool may be offered: {@code enabled} true or absent. */
    public boolean isEnabled() {
        return enabled == null || enabled;
    }
}
