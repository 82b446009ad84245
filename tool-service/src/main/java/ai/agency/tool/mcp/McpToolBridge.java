package ai.agency.tool.mcp;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import ai.agency.common.security.Caller;
import ai.agency.common.security.ScopeRule;
import ai.agency.tool.ToolProperties;
import ai.agency.tool.execution.ExecutionResult;
import ai.agency.tool.execution.ToolExecutor;
import ai.agency.tool.registry.Tool;
import ai.agency.tool.registry.ToolRegistry;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes the registry on the MCP server: every <em>enabled</em> tool becomes an MCP tool with the same name,
 * description and JSON Schema ({@code readOnlyHint} = not {@code write}), and {@code tools/call} runs through
 * {@link ToolExecutor} exactly like {@code POST /api/v1/tools/{name}/execute} — role check, schema validation,
 * timeout/circuit/bulkhead, execution log under the real caller, metrics. The published set follows the registry:
 * it is re-synchronised at start, on every registry change on this instance and every
 * {@code agency.tool.mcp-sync-interval} (changes made through another instance); each change sends MCP's
 * {@code notifications/tools/list_changed}.
 */
@Component
public class McpToolBridge implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(McpToolBridge.class);

    private final McpSyncServer server;
    private final ToolRegistry registry;
    private final ToolExecutor executor;
    private final JsonMapper json;
    private final ToolProperties properties;
    private final Map<String, Published> published = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "mcp-tool-sync");
        thread.setDaemon(true);
        return thread;
    });

    /** What the MCP server currently shows for a tool; a difference means the tool is published again. */
    private record Published(String description, JsonNode parameters, boolean write) {}

    McpToolBridge(
            McpSyncServer server,
            ToolRegistry registry,
            ToolExecutor executor,
            JsonMapper json,
            ToolProperties properties) {
        this.server = server;
        this.registry = registry;
        this.executor = executor;
        this.json = json;
        this.properties = properties;
        registry.onChange(name -> sync());
    }

    @EventListener(ApplicationReadyEvent.class)
    void start() {
        sync();
        long every = properties.mcpSyncInterval().toMillis();
        timer.scheduleWithFixedDelay(this::syncQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** Makes the MCP server's tool list equal to the registry's enabled tools. */
    public synchronized void sync() {
        Map<String, Tool> wanted = new LinkedHashMap<>();
        registry.list().stream().filter(Tool::enabled).forEach(t -> wanted.put(t.name(), t));
        for (String name : new ArrayList<>(published.keySet())) {
            if (!wanted.containsKey(name)) {
                server.removeTool(name);
                published.remove(name);
                log.info("MCP server no longer lists tool {}", name);
            }
        }
        for (Tool tool : wanted.values()) {
            Published shape = new Published(tool.description(), tool.parameters(), tool.write());
            if (!shape.equals(published.get(tool.name()))) {
                server.addTool(specification(tool)); // replaces a tool of the same name
                published.put(tool.name(), shape);
            }
        }
    }

    private void syncQuietly() {
        try {
            sync();
        } catch (RuntimeException e) {
            log.warn("Could not synchronise the MCP tool list with the registry: {}", e.toString());
        }
    }

    private McpServerFeatures.SyncToolSpecification specification(Tool tool) {
        McpSchema.Tool definition = McpSchema.Tool.builder()
                .name(tool.name())
                .description(tool.description())
                .inputSchema(json.convertValue(tool.parameters(), new TypeReference<Map<String, Object>>() {}))
                .annotations(McpSchema.ToolAnnotations.builder()
                        .readOnlyHint(!tool.write())
                        .build())
                .build();
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(definition)
                .callHandler(this::call)
                .build();
    }

    /** {@code tools/call}: runs the tool as the caller of this HTTP request; failures are {@code isError} results. */
    McpSchema.CallToolResult call(McpSyncServerExchange exchange, McpSchema.CallToolRequest request) {
        if (!(exchange.transportContext().get(McpServerConfiguration.CALLER) instanceof Caller caller)) {
            return failure(ErrorType.AUTHENTICATION.code(), "a valid bearer token is required", List.of(), null);
        }
        if (!caller.hasScope(ScopeRule.WRITE)) {
            // /mcp itself needs only read (tools/list); running a tool is a write, as POST …/execute is
            return failure(
                    ErrorType.AUTHORIZATION.code(),
                    "This token's scopes do not include 'write', which tools/call needs",
                    List.of(),
                    null);
        }
        JsonNode parameters = request.arguments() == null ? null : json.valueToTree(request.arguments());
        try {
            ExecutionResult result = executor.execute(caller, request.name(), parameters);
            if (!result.success()) {
                ExecutionResult.Failure error = Objects.requireNonNull(result.error()); // set when not a success
                return failure(error.errorType(), error.message(), List.of(), result.executionTimeMs());
            }
            Object data = result.data();
            McpSchema.CallToolResult.Builder answer = McpSchema.CallToolResult.builder()
                    .addTextContent(json.writeValueAsString(data))
                    .isError(false)
                    .meta(Map.of("executionTimeMs", result.executionTimeMs()));
            JsonNode tree = json.valueToTree(data);
            if (tree != null && tree.isObject()) {
                answer.structuredContent(json.convertValue(tree, new TypeReference<Map<String, Object>>() {}));
            }
            return answer.build();
        } catch (AgencyException e) {
            return failure(e.errorType().code(), e.getMessage(), e.fieldErrors(), null);
        } catch (RuntimeException e) {
            log.error("MCP call of tool {} failed for user {}", request.name(), caller.id(), e);
            return failure(ErrorType.INTERNAL.code(), "An unexpected error occurred", List.of(), null);
        }
    }

    /**
     * An {@code isError} result: a text for the model ({@code "validation: ..."} plus one line per violation) and the
     * same as {@code structuredContent} {@code {errorType, message, errors?: [{field, message}]}}.
     */
    private static McpSchema.CallToolResult failure(
            String errorType,
            @Nullable String message,
            List<AgencyException.FieldError> errors,
            @Nullable Long executionTimeMs) {
        StringBuilder text = new StringBuilder(errorType).append(": ").append(message);
        Map<String, Object> structured = new LinkedHashMap<>();
        structured.put("errorType", errorType);
        structured.put("message", message);
        if (!errors.isEmpty()) {
            List<Map<String, String>> list = new ArrayList<>();
            for (AgencyException.FieldError error : errors) {
                text.append("\n- ").append(error.field()).append(": ").append(error.message());
                list.add(Map.of("field", error.field(), "message", error.message()));
            }
            structured.put("errors", list);
        }
        McpSchema.CallToolResult.Builder answer = McpSchema.CallToolResult.builder()
                .addTextContent(text.toString())
                .structuredContent(structured)
                .isError(true);
        if (executionTimeMs != null) {
            answer.meta(Map.of("executionTimeMs", executionTimeMs));
        }
        return answer.build();
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
