package ai.agency.tool.execution;

import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Redacts parameters before they are written to the execution log: values of secret-looking keys become
 * {@code "[redacted]"} and long strings are cut to {@value #MAX_STRING} characters.
 */
final class Redactor {

    static final int MAX_STRING = 200;
    private static final int MAX_DEPTH = 10;
    private static final Pattern SECRET = Pattern.compile(
            "(?i).*(password|passwd|secret|token|api[-_]?key|authorization|credential|private[-_]?key|cookie|session[-_]?key).*");

    private Redactor() {}

    static JsonNode redact(JsonNode node) {
        return redact(node, 0);
    }

    private static JsonNode redact(JsonNode node, int depth) {
        if (depth > MAX_DEPTH) {
            return JsonNodeFactory.instance.stringNode("[too deep]");
        }
        if (node.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                copy.set(
                        field.getKey(),
                        SECRET.matcher(field.getKey()).matches()
                                ? JsonNodeFactory.instance.stringNode("[redacted]")
                                : redact(field.getValue(), depth + 1));
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            node.forEach(item -> copy.add(redact(item, depth + 1)));
            return copy;
        }
        if (node.isString() && node.asString().length() > MAX_STRING) {
            return JsonNodeFactory.instance.stringNode(node.asString().substring(0, MAX_STRING) + "…");
        }
        return node;
    }
}
