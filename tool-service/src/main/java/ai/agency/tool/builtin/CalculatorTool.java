package ai.agency.tool.builtin;

import ai.agency.common.security.Caller;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** {@code calculator}: evaluates an arithmetic expression with {@link ExpressionParser} (never a script engine). */
@Component
class CalculatorTool implements BuiltinTool {

    @Override
    public String name() {
        return "calculator";
    }

    @Override
    public String description() {
        return "Evaluates an arithmetic expression: numbers, + - * / % (also × ÷), powers (^ or **), parentheses, "
                + "pi, e and the functions sqrt, cbrt, abs, sin, cos, tan, asin, acos, atan, ln, log, log2, exp, "
                + "floor, ceil, round, min, max, pow.";
    }

    @Override
    public String parametersSchema() {
        return """
                {"type": "object",
                 "properties": {"expression": {"type": "string", "minLength": 1, "maxLength": 1000,
                                               "description": "e.g. (2 + 3) * 4 ^ 2 / sqrt(16)"}},
                 "required": ["expression"],
                 "additionalProperties": false}""";
    }

    @Override
    public int timeoutMs() {
        return 2_000;
    }

    @Override
    public Object run(Caller caller, JsonNode parameters) {
        String expression = parameters.get("expression").asString();
        return Map.of("expression", expression, "result", ExpressionParser.evaluate(expression));
    }
}
