package ai.agency.orchestration.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The templates inside step inputs: {@code {{input.<path>}}}, {@code {{steps.<id>.output}}} and
 * {@code {{steps.<id>.output.<path>}}}. A template that is the whole string keeps the value's JSON type; inside a
 * longer string, strings are inserted as they are and other values as JSON. A missing value is {@code null} (or
 * the empty string inside text). Paths are dot-separated names or array indexes.
 */
final class Templates {

    private static final Pattern TEMPLATE = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");
    private static final Pattern WHOLE = Pattern.compile("^\\{\\{\\s*([^{}]*?)\\s*}}$");
    private static final Pattern PATH =
            Pattern.compile("^(input(\\.[A-Za-z0-9_-]+)*|steps\\.[A-Za-z0-9_-]+\\.output(\\.[A-Za-z0-9_-]+)*)$");

    private Templates() {}

    /** The step ids that the templates of {@code node} read; a malformed template is an IllegalArgumentException. */
    static List<String> references(JsonNode node) {
        List<String> steps = new ArrayList<>();
        collect(node, steps);
        return steps;
    }

    private static void collect(JsonNode node, List<String> steps) {
        if (node == null) {
            return;
        }
        if (node.isString()) {
            String text = node.asString();
            Matcher m = TEMPLATE.matcher(text);
            int templates = 0;
            while (m.find()) {
                templates++;
                String path = m.group(1);
                if (!PATH.matcher(path).matches()) {
                    throw new IllegalArgumentException(
                            "bad template '{{" + path + "}}': use {{input.<path>}} or {{steps.<id>.output[.<path>]}}");
                }
                if (path.startsWith("steps.")) {
                    steps.add(path.split("\\.")[1]);
                }
            }
            int opened = text.split("\\{\\{", -1).length - 1;
            if (opened != templates) {
                throw new IllegalArgumentException("unbalanced '{{' in \"" + abbreviate(text) + "\"");
            }
        } else if (node.isContainer()) {
            for (JsonNode child : node.values()) {
                collect(child, steps);
            }
            if (node.isObject()) {
                for (String name : node.propertyNames()) {
                    if (name.contains("{{")) {
                        throw new IllegalArgumentException("templates are not allowed in field names: " + name);
                    }
                }
            }
        }
    }

    /** {@code template} with its templates filled from {@code scope} ({@code {input, steps: {id: {output}}}}). */
    static JsonNode fill(JsonNode template, JsonNode scope) {
        if (template == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (template.isString()) {
            String text = template.asString();
            Matcher whole = WHOLE.matcher(text);
            if (whole.matches()) {
                JsonNode value = lookup(scope, whole.group(1));
                return value == null ? JsonNodeFactory.instance.nullNode() : value;
            }
            Matcher m = TEMPLATE.matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                JsonNode value = lookup(scope, m.group(1));
                String replacement =
                        value == null || value.isNull() ? "" : value.isString() ? value.asString() : value.toString();
                m.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(out);
            return JsonNodeFactory.instance.stringNode(out.toString());
        }
        if (template.isObject()) {
            ObjectNode filled = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : template.properties()) {
                filled.set(field.getKey(), fill(field.getValue(), scope));
            }
            return filled;
        }
        if (template.isArray()) {
            ArrayNode filled = JsonNodeFactory.instance.arrayNode();
            for (JsonNode item : template) {
                filled.add(fill(item, scope));
            }
            return filled;
        }
        return template;
    }

    private static JsonNode lookup(JsonNode scope, String path) {
        JsonNode node = scope;
        for (String part : path.split("\\.")) {
            if (node == null || node.isNull() || node.isMissingNode()) {
                return null;
            }
            if (node.isArray() && part.chars().allMatch(Character::isDigit)) {
                node = node.get(Integer.parseInt(part));
            } else {
                node = node.get(part);
            }
        }
        return node == null || node.isMissingNode() ? null : node;
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
