package ai.agency.tool.builtin;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** {@code current_time}: the current time in an IANA time zone (UTC by default). */
@Component
class CurrentTimeTool implements BuiltinTool {

    private final Clock clock = Clock.systemUTC();

    @Override
    public String name() {
        return "current_time";
    }

    @Override
    public String description() {
        return "The current date and time in an IANA time zone such as Europe/Paris (default UTC).";
    }

    @Override
    public String parametersSchema() {
        return """
                {"type": "object",
                 "properties": {"timezone": {"type": "string", "minLength": 1, "maxLength": 64,
                                             "description": "IANA zone id, e.g. America/New_York"}},
                 "additionalProperties": false}""";
    }

    @Override
    public int timeoutMs() {
        return 2_000;
    }

    @Override
    public Object run(Caller caller, JsonNode parameters) {
        String zoneName = parameters.path("timezone").asString("UTC");
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneName);
        } catch (DateTimeException e) {
            throw AgencyException.invalidField("timezone", "'" + zoneName + "' is not an IANA time zone");
        }
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(zone));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("timezone", zone.getId());
        data.put("dateTime", now.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        data.put("utc", now.toInstant().toString());
        data.put("offset", now.getOffset().getId());
        data.put("dayOfWeek", now.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
        data.put("epochSeconds", now.toEpochSecond());
        return data;
    }
}
