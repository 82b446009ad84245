package ai.agency.tool.registry;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Checks tool parameters against the tool's JSON Schema (draft 2020-12 unless the schema names another draft) with
 * networknt's json-schema-validator. Every violation becomes one {@code errors} entry of a 400 problem.
 */
@Component
public class ParameterValidator {

    private static final Set<String> KNOWN_DIALECTS = Set.of(
            "https://json-schema.org/draft/2020-12/schema",
            "https://json-schema.org/draft/2019-09/schema",
            "http://json-schema.org/draft-07/schema#",
            "http://json-schema.org/draft-07/schema",
            "http://json-schema.org/draft-06/schema#",
            "http://json-schema.org/draft-04/schema#");

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private final Map<String, Schema> compiled = new ConcurrentHashMap<>();

    /** Throws a 400 problem listing each violation of {@code schema} by {@code parameters}. */
    public void validate(JsonNode schema, JsonNode parameters) {
        List<Error> errors = compile(schema).validate(parameters);
        if (errors.isEmpty()) {
            return;
        }
        List<AgencyException.FieldError> fieldErrors = new ArrayList<>();
        for (Error error : errors) {
            fieldErrors.add(new AgencyException.FieldError(field(error), message(error)));
        }
        throw new AgencyException(
                ErrorType.VALIDATION,
                ErrorType.VALIDATION.status(),
                "The parameters do not match the tool's schema: " + fieldErrors.size() + " violation(s)",
                fieldErrors,
                null);
    }

    /**
     * Refuses a schema that is not an object schema, that cannot be compiled, or that would make the validator load
     * anything from the network (remote {@code $ref}, unknown {@code $schema}).
     */
    public void checkSchema(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            throw AgencyException.invalidField("parameters", "must be a JSON Schema object");
        }
        if (!"object".equals(schema.path("type").asString(""))) {
            throw AgencyException.invalidField("parameters", "must have \"type\": \"object\"");
        }
        checkReferences(schema);
        try {
            compile(schema).validate(JsonNodeFactory.instance.objectNode());
        } catch (RuntimeException e) {
            throw AgencyException.invalidField("parameters", "is not a valid JSON Schema");
        }
    }

    private void checkReferences(JsonNode node) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                String key = entry.getKey();
                JsonNode value = entry.getValue();
                if ((key.equals("$ref") || key.equals("$dynamicRef") || key.equals("$recursiveRef"))
                        && value.isString()
                        && !value.asString().startsWith("#")) {
                    throw AgencyException.invalidField("parameters", "only local references (\"#...\") are allowed");
                }
                if (key.equals("$schema") && value.isString() && !KNOWN_DIALECTS.contains(value.asString())) {
                    throw AgencyException.invalidField("parameters", "$schema must name a standard JSON Schema draft");
                }
                checkReferences(value);
            }
        } else if (node.isArray()) {
            node.forEach(this::checkReferences);
        }
    }

    private Schema compile(JsonNode schema) {
        return compiled.computeIfAbsent(schema.toString(), text -> registry.getSchema(schema));
    }

    private static String field(Error error) {
        String location = error.getInstanceLocation() == null
                ? ""
                : error.getInstanceLocation().toString();
        String path = location.startsWith("$") ? location.substring(1) : location;
        if (path.startsWith("/")) {
            path = path.replace('/', '.').replaceAll("\\.(\\d+)(?=\\.|$)", "[$1]");
        }
        String field = "parameters" + path;
        String keyword = error.getKeyword();
        if (error.getProperty() != null
                && ("required".equals(keyword)
                        || "additionalProperties".equals(keyword)
                        || "dependentRequired".equals(keyword)
                        || "unevaluatedProperties".equals(keyword))) {
            field = field + "." + error.getProperty();
        }
        return field;
    }

    private static String message(Error error) {
        String message = error.getMessage();
        String location = error.getInstanceLocation() == null
                ? null
                : error.getInstanceLocation().toString();
        if (location != null && message.startsWith(location + ": ")) {
            message = message.substring(location.length() + 2);
        }
        return message;
    }
}
