package ai.agency.orchestration.schedule;

import ai.agency.common.error.AgencyException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.springframework.scheduling.support.CronExpression;

/**
 * A schedule's cron expression read in its time zone (Spring's {@link CronExpression}: six fields with seconds, or
 * the usual five, which fire at second 0; macros such as {@code @daily}), and the instants it fires at.
 */
record CronTimes(CronExpression cron, ZoneId zone) {

    /** The expression as stored: five fields get a leading {@code 0} for the seconds. */
    static String normalize(String cron) {
        String trimmed = cron.strip().replaceAll("\\s+", " ");
        return !trimmed.startsWith("@") && trimmed.split(" ").length == 5 ? "0 " + trimmed : trimmed;
    }

    /** Parses both; a 400 problem naming {@code cron} or {@code timeZone} when one is not valid. */
    static CronTimes parse(String cron, String timeZone) {
        CronExpression expression;
        try {
            expression = CronExpression.parse(normalize(cron));
        } catch (IllegalArgumentException e) {
            throw AgencyException.invalidField(
                    "cron",
                    "is not a cron expression (six fields 'second minute hour day month weekday', or five without"
                            + " the seconds, or @hourly/@daily/...): " + e.getMessage());
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(timeZone.strip());
        } catch (DateTimeException e) {
            throw AgencyException.invalidField("timeZone", "is not a known time zone (e.g. UTC, Europe/Paris)");
        }
        CronTimes times = new CronTimes(expression, zone);
        if (times.next(Instant.now()) == null) {
            throw AgencyException.invalidField("cron", "never fires (no date matches it)");
        }
        return times;
    }

    /** The first instant strictly after {@code after} the expression matches in the zone; null if none. */
    Instant next(Instant after) {
        ZonedDateTime next = cron.next(after.atZone(zone));
        return next == null ? null : next.toInstant();
    }

    /** The next {@code count} instants after {@code after} (fewer if the expression stops matching). */
    List<Instant> next(int count, Instant after) {
        List<Instant> times = new ArrayList<>(count);
        Instant at = after;
        while (times.size() < count && (at = next(at)) != null) {
            times.add(at);
        }
        return times;
    }
}
