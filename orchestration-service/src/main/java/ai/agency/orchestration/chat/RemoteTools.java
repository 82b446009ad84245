package ai.agency.orchestration.chat;

import ai.agency.common.client.tool.ExecuteToolRequest;
import ai.agency.common.client.tool.ToolClient;
import ai.agency.common.client.tool.ToolInfo;
import ai.agency.common.client.tool.ToolResult;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.OrchestrationProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClientResponseException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * An agent's tools as Spring AI {@link ToolCallback}s that execute through tool-service as the calling user. The
 * tool list comes from tool-service (cached briefly); when tool-service cannot be reached, the built-ins are still
 * offered from their known schemas, so the model can try them and see the failure as the tool result.
 */
@Component
class RemoteTools {

    private static final Logger log = LoggerFactory.getLogger(RemoteTools.class);

    private static final Map<String, String[]> BUILTINS = Map.of(
            "calculator",
            new String[] {
                "Evaluates an arithmetic expression, e.g. (2 + 3) * 4 ^ 2",
                "{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":\"string\"}},\"required\":[\"expression\"]}"
            },
            "current_time",
            new String[] {
                "The current date and time in a time zone (IANA name, default UTC)",
                "{\"type\":\"object\",\"properties\":{\"timezone\":{\"type\":\"string\"}}}"
            },
            "add_memory",
            new String[] {
                "Stores a fact about the user in long-term memory",
                "{\"type\":\"object\",\"properties\":{\"content\":{\"type\":\"string\"}},\"required\":[\"content\"]}"
            },
            "search_memory",
            new String[] {
                "Searches the user's long-term memories",
                "{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\"}},"
                        + "\"required\":[\"query\"]}"
            });

    /** The {@code reason} of tool-service's 409 while a call with the same idempotency key is still running. */
    private static final String KEY_IN_USE = "idempotency_key_in_use";

    private static final Duration KEY_IN_USE_PAUSE = Duration.ofMillis(500);

    private final ToolClient tools;
    private final JsonMapper json;
    private final OrchestrationProperties properties;
    private volatile Map<String, ToolDefinition> cached = Map.of();
    private volatile Instant cachedUntil = Instant.MIN;
    private volatile Instant listedAt = Instant.MIN;

    /**
     * A name the cached list lacks (a tool registered since) makes the list be read again, at most this often; so an
     * admin's new tool is usable at once, and unknown names cannot make every request list the tools.
     */
    static final Duration MISSING_NAME_RELIST = Duration.ofSeconds(1);

    RemoteTools(ToolClient tools, JsonMapper json, OrchestrationProperties properties) {
        this.tools = tools;
        this.json = json;
        this.properties = properties;
    }

    /** Callbacks for the named tools that exist, each executing as {@code bearer}. */
    List<ToolCallback> callbacks(List<String> names, String bearer) {
        if (names.isEmpty()) {
            return List.of();
        }
        Map<String, ToolDefinition> known = definitions(bearer, names);
        List<ToolCallback> callbacks = new ArrayList<>();
        for (String name : names) {
            ToolDefinition definition = known.get(name);
            if (definition != null) {
                callbacks.add(new RemoteTool(definition, bearer));
            }
        }
        return callbacks;
    }

    /** Names of the tools tool-service offers (the built-ins when it cannot be listed). */
    java.util.Set<String> names(String bearer) {
        return definitions(bearer, List.of()).keySet();
    }

    /** The same, read again if {@code wanted} is not among the cached names (see {@link #MISSING_NAME_RELIST}). */
    java.util.Set<String> names(String bearer, java.util.Collection<String> wanted) {
        return definitions(bearer, wanted).keySet();
    }

    private Map<String, ToolDefinition> definitions(String bearer, java.util.Collection<String> wanted) {
        Instant now = Instant.now();
        if (now.isBefore(cachedUntil)
                && (cached.keySet().containsAll(wanted) || now.isBefore(listedAt.plus(MISSING_NAME_RELIST)))) {
            return cached;
        }
        listedAt = now;
        try {
            Map<String, ToolDefinition> fresh = new HashMap<>();
            List<ToolInfo> listed = tools.list(bearer).items();
            for (ToolInfo tool : listed == null ? List.<ToolInfo>of() : listed) {
                if (tool.isEnabled() && tool.name() != null) {
                    fresh.put(
                            tool.name(),
                            ToolDefinition.builder()
                                    .name(tool.name())
                                    .description(tool.description() == null ? "" : tool.description())
                                    .inputSchema(json.writeValueAsString(tool.parameters()))
                                    .build());
                }
            }
            cached = Map.copyOf(fresh);
            cachedUntil = Instant.now().plus(properties.toolsCacheTtl());
            return cached;
        } catch (RuntimeException e) {
            log.warn(
                    "tool-service did not list its tools ({}); offering the built-ins by their known schemas",
                    ErrorClassifier.classify(e).code());
            if (!cached.isEmpty()) {
                return cached;
            }
            Map<String, ToolDefinition> fallback = new HashMap<>();
            BUILTINS.forEach((name, d) -> fallback.put(
                    name,
                    ToolDefinition.builder()
                            .name(name)
                            .description(d[0])
                            .inputSchema(d[1])
                            .build()));
            return fallback;
        }
    }

    /** Executes the tool; any failure becomes an error envelope that the model sees as the tool's result. */
    String execute(String name, String arguments, String bearer) {
        return execute(name, arguments, bearer, null);
    }

    /**
     * As {@link #execute(String, String, String)}, under an {@code Idempotency-Key} when {@code idempotencyKey} is
     * not null: a repeat with the same key gets the first call's result instead of running the tool again. While a
     * call with the key is still running, tool-service answers 409 {@code idempotency_key_in_use}: this waits and asks
     * again (until the thread is interrupted, e.g. by the workflow step's timeout).
     */
    String execute(String name, String arguments, String bearer, String idempotencyKey) {
        JsonNode parameters;
        try {
            parameters = arguments == null || arguments.isBlank() ? json.createObjectNode() : json.readTree(arguments);
        } catch (RuntimeException e) {
            return json.writeValueAsString(failure(name, ErrorType.VALIDATION, "the arguments are not valid JSON"));
        }
        ExecuteToolRequest body = new ExecuteToolRequest(parameters);
        try {
            while (true) {
                try {
                    return json.writeValueAsString(tools.execute(bearer, idempotencyKey, name, body));
                } catch (RestClientResponseException e) {
                    if (idempotencyKey == null
                            || !KEY_IN_USE.equals(problem(e).path("reason").asString(""))) {
                        throw e;
                    }
                    Thread.sleep(KEY_IN_USE_PAUSE);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return json.writeValueAsString(
                    failure(name, ErrorType.NETWORK, "interrupted while an earlier call with its key was running"));
        } catch (RestClientResponseException e) {
            String detail = problem(e)
                    .path("detail")
                    .asString("tool-service answered " + e.getStatusCode().value());
            return json.writeValueAsString(failure(name, ErrorClassifier.classify(e), detail));
        } catch (RuntimeException e) {
            ErrorType type = ErrorClassifier.classify(e);
            log.warn("tool {} could not be executed through tool-service: {}", name, type.code());
            return json.writeValueAsString(failure(
                    name,
                    type == ErrorType.INTERNAL ? ErrorType.SERVICE_UNAVAILABLE : type,
                    "tool-service is unavailable, the tool did not run"));
        }
    }

    /** The problem body of an error answer; a missing node when it is none. */
    private JsonNode problem(RestClientResponseException e) {
        try {
            return json.readTree(e.getResponseBodyAsString());
        } catch (RuntimeException notJson) {
            return json.missingNode();
        }
    }

    private static ToolResult failure(String name, ErrorType type, String message) {
        return ToolResult.failed(name, type.code(), message);
    }

    /** A tool of tool-service seen through Spring AI's tool-calling contract. */
    final class RemoteTool implements ToolCallback {

        private final ToolDefinition definition;
        private final String bearer;

        RemoteTool(ToolDefinition definition, String bearer) {
            this.definition = definition;
            this.bearer = bearer;
        }

        @Override
        public ToolDefinition getToolDefinition() {
            return definition;
        }

        @Override
        public String call(String toolInput) {
            return execute(definition.name(), toolInput, bearer);
        }
    }
}
