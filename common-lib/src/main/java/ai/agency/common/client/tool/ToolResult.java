package ai.agency.common.client.tool;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Answer of {@code POST /api/v1/tools/{name}/execute}: {@code {tool, success, data?, error?: {errorType, message},
 * executionTimeMs}}, with every member tool-service writes, so a caller that passes the answer on (orchestration
 * gives it to the model as the tool's result) passes all of it. {@code data} is what the tool returned, as it is; a
 * {@code data} of JSON {@code null} stays {@code null} when written again, an absent one stays absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ToolResult(
        String tool,
        boolean success,
        @Nullable JsonNode data,
        @Nullable Failure error,
        long executionTimeMs) {

    /** Why a tool failed: a stable {@code errorType} (common-lib's {@code ErrorType} codes) and a message. */
    public record Failure(String errorType, @Nullable String message) {}

    /** A failure decided by the caller, the tool having not run (took no time). */
    public static ToolResult failed(String tool, String errorType, String message) {
        return new ToolResult(tool, false, null, new Failure(errorType, message), 0);
    }
}
