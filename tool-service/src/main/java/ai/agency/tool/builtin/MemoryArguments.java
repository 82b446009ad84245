package ai.agency.tool.builtin;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorType;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The checks of {@code add_memory}'s and {@code search_memory}'s facts-that-change arguments that JSON Schema cannot
 * make ({@code format} is only an annotation to the validator): {@code asOf} and {@code validFrom} must be real
 * ISO-8601 instants with an offset, {@code supersedes} must hold UUIDs, and {@code asOf} may not come with
 * {@code includeInvalid: true} (memory-service's rule). A bad argument is a 400 naming it; nothing is sent.
 */
final class MemoryArguments {

    /** RFC 3339 date-time: four-digit year, seconds, optional fraction, {@code Z} or an offset. */
    private static final Pattern INSTANT = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})", Pattern.CASE_INSENSITIVE);

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", Pattern.CASE_INSENSITIVE);

    private static final String INSTANT_SCHEMA_HINT = "an ISO-8601 instant with a time zone, e.g. 2025-03-01T00:00:00Z";

    private MemoryArguments() {}

    /** {@code search_memory}: {@code asOf}, and not together with {@code includeInvalid: true}. */
    static void checkSearch(JsonNode parameters) {
        List<AgencyException.FieldError> errors = new ArrayList<>();
        instant(parameters, "asOf", errors);
        if (parameters.has("asOf") && parameters.path("includeInvalid").asBoolean(false)) {
            errors.add(new AgencyException.FieldError(
                    "parameters.includeInvalid", "give at most one of 'asOf' and 'includeInvalid'"));
        }
        throwIfAny(errors);
    }

    /** {@code add_memory}: {@code validFrom} and each id of {@code supersedes}. */
    static void checkAdd(JsonNode parameters) {
        List<AgencyException.FieldError> errors = new ArrayList<>();
        instant(parameters, "validFrom", errors);
        JsonNode ids = parameters.path("supersedes");
        for (int i = 0; i < ids.size(); i++) {
            JsonNode id = ids.get(i);
            if (id.isString() && !UUID_TEXT.matcher(id.asString()).matches()) {
                errors.add(new AgencyException.FieldError(
                        "parameters.supersedes[" + i + "]",
                        "must be a memory id (a UUID such as 0b7e4a4e-8a86-4c1a-9a8e-3f1f0d7c2a11)"));
            }
        }
        throwIfAny(errors);
    }

    private static void instant(JsonNode parameters, String name, List<AgencyException.FieldError> errors) {
        JsonNode value = parameters.path(name);
        if (value.isString() && !isInstant(value.asString())) { // other types: the schema's "type" refused them
            errors.add(new AgencyException.FieldError("parameters." + name, "must be " + INSTANT_SCHEMA_HINT));
        }
    }

    static boolean isInstant(String text) {
        if (!INSTANT.matcher(text).matches()) {
            return false;
        }
        try {
            // strict: 2025-02-30, hour 24 or second 60 are refused, not rolled over
            OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static void throwIfAny(List<AgencyException.FieldError> errors) {
        if (!errors.isEmpty()) {
            throw new AgencyException(
                    ErrorType.VALIDATION,
                    ErrorType.VALIDATION.status(),
                    "The parameters are not valid: " + errors.size() + " violation(s)",
                    errors,
                    null);
        }
    }
}
