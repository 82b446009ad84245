package ai.agency.tool.registry;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A tool as clients see it. {@code endpoint}, {@code method} and {@code headerNames} (never header values) are shown
 * to admins only; {@code signingSecret} appears once, in the answer to the registration.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolView(
        String name,
        String description,
        JsonNode parameters,
        String source,
        boolean enabled,
        boolean write,
        int timeoutMs,
        @Nullable String endpoint,
        @Nullable String method,
        @Nullable List<String> headerNames,
        @Nullable String signingSecret) {}
