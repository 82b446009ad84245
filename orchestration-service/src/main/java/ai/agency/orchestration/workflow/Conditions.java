package ai.agency.orchestration.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.expression.Expression;
import org.springframework.expression.ExpressionParser;
import org.springframework.expression.spel.SpelParserConfiguration;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.expression.spel.support.DataBindingPropertyAccessor;
import org.springframework.expression.spel.support.MapAccessor;
import org.springframework.expression.spel.support.SimpleEvaluationContext;

/**
 * Step conditions: SpEL expressions evaluated read-only over {@code {input, steps: {<id>: {output}}}} as plain
 * maps, lists, strings, numbers and booleans, e.g. {@code steps.review.output.score < 80 and input.lang == 'java'}.
 * The context is a {@link SimpleEvaluationContext} without method calls, type references, constructors or bean
 * references, so an expression can compare and combine values but not run code. Step ids with '-' are read as
 * {@code steps['my-step'].output}.
 */
final class Conditions {

    private static final ExpressionParser PARSER =
            new SpelExpressionParser(new SpelParserConfiguration(null, null, false, false, 0, 1000));
    private static final Pattern STEP_REFERENCE =
            Pattern.compile("steps\\s*(?:\\.\\s*([A-Za-z0-9_]+)|\\[\\s*'([A-Za-z0-9_-]+)'\\s*])");

    private Conditions() {}

    /** Parses the expression (an IllegalArgumentException if it is not one) and returns the step ids it reads. */
    static List<String> check(String expression) {
        if (expression.length() > 1000) {
            throw new IllegalArgumentException("the condition is longer than 1000 characters");
        }
        try {
            PARSER.parseExpression(expression);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the condition is not a valid expression: " + e.getMessage());
        }
        List<String> steps = new ArrayList<>();
        Matcher m = STEP_REFERENCE.matcher(expression);
        while (m.find()) {
            steps.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return steps;
    }

    /** Evaluates the expression; anything but a boolean result is an IllegalArgumentException. */
    static boolean evaluate(String expression, Map<String, Object> scope) {
        SimpleEvaluationContext context = SimpleEvaluationContext.forPropertyAccessors(
                        new MapAccessor(false), DataBindingPropertyAccessor.forReadOnlyAccess())
                .withRootObject(scope)
                .build();
        Object value;
        try {
            Expression parsed = PARSER.parseExpression(expression);
            value = parsed.getValue(context);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the condition could not be evaluated: " + e.getMessage());
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("the condition gave " + value + ", not true or false");
    }
}
