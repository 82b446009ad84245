package ai.agency.tool.builtin;

import ai.agency.common.error.AgencyException;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * A recursive-descent parser and evaluator for arithmetic: numbers (with exponents), {@code + - * / %}, {@code ×}
 * and {@code ÷}, powers ({@code ^} or {@code **}, right-associative), unary minus, parentheses, the constants
 * {@code pi} and {@code e}, and the functions below. Nothing else is accepted: no names, no calls into Java.
 *
 * <pre>
 * expression := term (('+' | '-') term)*
 * term       := unary (('*' | '/' | '%') unary)*
 * unary      := ('+' | '-') unary | power
 * power      := primary (('^' | '**') unary)?
 * primary    := number | constant | function '(' expression (',' expression)? ')' | '(' expression ')'
 * </pre>
 */
final class ExpressionParser {

    static final int MAX_LENGTH = 1000;
    private static final int MAX_DEPTH = 100;

    private static final Map<String, DoubleUnaryOperator> FUNCTIONS = Map.ofEntries(
            Map.entry("sqrt", Math::sqrt),
            Map.entry("cbrt", Math::cbrt),
            Map.entry("abs", Math::abs),
            Map.entry("sin", Math::sin),
            Map.entry("cos", Math::cos),
            Map.entry("tan", Math::tan),
            Map.entry("asin", Math::asin),
            Map.entry("acos", Math::acos),
            Map.entry("atan", Math::atan),
            Map.entry("ln", Math::log),
            Map.entry("log", Math::log10),
            Map.entry("log10", Math::log10),
            Map.entry("log2", x -> Math.log(x) / Math.log(2)),
            Map.entry("exp", Math::exp),
            Map.entry("floor", Math::floor),
            Map.entry("ceil", Math::ceil),
            Map.entry("round", x -> (double) Math.round(x)));

    private final String text;
    private int pos;
    private int depth;

    private ExpressionParser(String text) {
        this.text = text;
    }

    static double evaluate(String expression) {
        if (expression.length() > MAX_LENGTH) {
            throw invalid("is longer than " + MAX_LENGTH + " characters");
        }
        ExpressionParser parser = new ExpressionParser(
                expression.replace('×', '*').replace('÷', '/').replace('−', '-').toLowerCase(Locale.ROOT));
        double value = parser.expression();
        parser.skipSpaces();
        if (parser.pos < parser.text.length()) {
            throw invalid("unexpected '" + parser.text.charAt(parser.pos) + "' at position " + (parser.pos + 1));
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw invalid("has no finite result (division by zero or a value out of a function's domain)");
        }
        return value;
    }

    private double expression() {
        enter();
        double value = term();
        while (true) {
            if (eat('+')) {
                value += term();
            } else if (eat('-')) {
                value -= term();
            } else {
                depth--;
                return value;
            }
        }
    }

    private double term() {
        double value = unary();
        while (true) {
            if (peekIs("**")) {
                return value; // handled by power
            }
            if (eat('*')) {
                value *= unary();
            } else if (eat('/')) {
                double divisor = unary();
                if (divisor == 0) {
                    throw invalid("divides by zero");
                }
                value /= divisor;
            } else if (eat('%')) {
                double divisor = unary();
                if (divisor == 0) {
                    throw invalid("divides by zero");
                }
                value %= divisor;
            } else {
                return value;
            }
        }
    }

    private double unary() {
        enter();
        double value;
        if (eat('+')) {
            value = unary();
        } else if (eat('-')) {
            value = -unary();
        } else {
            value = power();
        }
        depth--;
        return value;
    }

    private double power() {
        double base = primary();
        skipSpaces();
        if (text.startsWith("**", pos)) {
            pos += 2;
            return Math.pow(base, unary());
        }
        if (eat('^')) {
            return Math.pow(base, unary());
        }
        return base;
    }

    private double primary() {
        skipSpaces();
        if (eat('(')) {
            double value = expression();
            expect(')');
            return value;
        }
        if (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            return number();
        }
        if (pos < text.length() && Character.isLetter(text.charAt(pos))) {
            int start = pos;
            while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
                pos++;
            }
            String name = text.substring(start, pos);
            switch (name) {
                case "pi" -> {
                    return Math.PI;
                }
                case "e" -> {
                    return Math.E;
                }
                default -> {
                    // a function
                }
            }
            skipSpaces();
            if (!eat('(')) {
                throw invalid("unknown name '" + name + "'");
            }
            double argument = expression();
            if (name.equals("min") || name.equals("max") || name.equals("pow")) {
                expect(',');
                double second = expression();
                expect(')');
                return switch (name) {
                    case "min" -> Math.min(argument, second);
                    case "max" -> Math.max(argument, second);
                    default -> Math.pow(argument, second);
                };
            }
            DoubleUnaryOperator function = FUNCTIONS.get(name);
            if (function == null) {
                throw invalid("unknown function '" + name + "'");
            }
            expect(')');
            return function.applyAsDouble(argument);
        }
        if (pos >= text.length()) {
            throw invalid("ends unexpectedly");
        }
        throw invalid("unexpected '" + text.charAt(pos) + "' at position " + (pos + 1));
    }

    private double number() {
        int start = pos;
        while (pos < text.length() && (Character.isDigit(text.charAt(pos)) || text.charAt(pos) == '.')) {
            pos++;
        }
        if (pos < text.length() && text.charAt(pos) == 'e') {
            int mark = pos;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = mark; // the constant e follows, e.g. "2e" is not a number with an exponent
            }
        }
        try {
            return Double.parseDouble(text.substring(start, pos));
        } catch (NumberFormatException e) {
            throw invalid("has a malformed number '" + text.substring(start, pos) + "'");
        }
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw invalid("is nested too deeply");
        }
    }

    private boolean peekIs(String token) {
        skipSpaces();
        return text.startsWith(token, pos);
    }

    private boolean eat(char c) {
        skipSpaces();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!eat(c)) {
            throw invalid(
                    pos >= text.length()
                            ? "ends unexpectedly, expected '" + c + "'"
                            : "expected '" + c + "' at position " + (pos + 1));
        }
    }

    private void skipSpaces() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private static AgencyException invalid(String message) {
        return AgencyException.invalidField("expression", "the expression " + message);
    }
}
