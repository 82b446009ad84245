package ai.agency.tool.execution;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.jspecify.annotations.Nullable;

/** The answer to an execution: {@code {tool, success, data?, error?: {errorType, message}, executionTimeMs}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecutionResult(
        String tool,
        boolean success,
        @Nullable Object data,
        @Nullable Failure error,
        long executionTimeMs) {

    /** Why a tool failed: a stable {@code errorType} and a message safe to show. */
    public record Failure(String errorType, @Nullable String message) {}
}
