package ai.agency.tool.builtin;

import ai.agency.common.security.Caller;
import tools.jackson.databind.JsonNode;

/** A tool implemented in this service. Each is a bean; the registry stores its definition at start. */
public interface BuiltinTool {

    String name();

    String description();

    /** JSON Schema of the parameters (an object schema), as JSON text. */
    String parametersSchema();

    /** Whether the tool changes data (viewers may not run it). */
    default boolean write() {
        return false;
    }

    /** Timeout in milliseconds. */
    default int timeoutMs() {
        return 10_000;
    }

    /**
     * Checks the parameters beyond what the schema can say (a date-time that is a real instant, an id that is a UUID),
     * before the call runs: throw an {@code AgencyException} of type validation naming each bad parameter
     * ({@code parameters.<name>}), which the caller gets as a 400 problem and nothing is called. Nothing by default.
     */
    default void check(JsonNode parameters) {}

    /**
     * Runs the tool with parameters that already passed the schema. Throw {@code AgencyException} for failures the
     * caller should see classified.
     */
    Object run(Caller caller, JsonNode parameters);
}
