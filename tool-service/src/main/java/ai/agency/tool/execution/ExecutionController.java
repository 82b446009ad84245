package ai.agency.tool.execution;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
class ExecutionController {

    private final ToolExecutor executor;
    private final ExecutionLog log;

    ExecutionController(ToolExecutor executor, ExecutionLog log) {
        this.executor = executor;
        this.log = log;
    }

    @PostMapping("/api/v1/tools/{name}/execute")
    ExecutionResult execute(@PathVariable String name, @RequestBody JsonNode body, Caller caller) {
        if (!body.isObject()) {
            throw AgencyException.invalid("The body must be a JSON object {\"parameters\": {...}}");
        }
        return executor.execute(caller, name, body.get("parameters"));
    }

    @GetMapping("/api/v1/tools/executions")
    ExecutionLog.Page executions(
            @RequestParam(required = false) String tool,
            @RequestParam(required = false) UUID userId,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return log.page(caller, userId, tool, limit, cursor);
    }
}
