package ai.agency.tool.execution;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
class ExecutionController {

    private final ToolExecutor executor;
    private final IdempotentExecutions idempotent;
    private final ExecutionLog log;

    ExecutionController(ToolExecutor executor, IdempotentExecutions idempotent, ExecutionLog log) {
        this.executor = executor;
        this.idempotent = idempotent;
        this.log = log;
    }

    /** With an {@code Idempotency-Key}, a repeat gets the first call's result ({@code Idempotent-Replayed: true}). */
    @PostMapping("/api/v1/tools/{name}/execute")
    ResponseEntity<ExecutionResult> execute(
            @PathVariable String name,
            @RequestBody JsonNode body,
            @RequestHeader(name = IdempotentExecutions.KEY_HEADER, required = false) @Nullable String idempotencyKey,
            Caller caller) {
        if (!body.isObject()) {
            throw AgencyException.invalid("The body must be a JSON object {\"parameters\": {...}}");
        }
        if (idempotencyKey == null) {
            return ResponseEntity.ok(executor.execute(caller, name, body.get("parameters")));
        }
        IdempotentExecutions.Keyed keyed = idempotent.execute(caller, name, body.get("parameters"), idempotencyKey);
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
        if (keyed.replayed()) {
            ok.header(IdempotentExecutions.REPLAYED_HEADER, "true");
        }
        return ok.body(keyed.result());
    }

    @GetMapping("/api/v1/tools/executions")
    Page<ExecutionRepository.Execution> executions(
            @RequestParam(required = false) @Nullable String tool,
            @RequestParam(required = false) @Nullable UUID userId,
            @RequestParam(required = false) @Nullable Integer limit,
            @RequestParam(required = false) @Nullable String cursor,
            Caller caller) {
        return log.page(caller, userId, tool, limit, cursor);
    }
}
