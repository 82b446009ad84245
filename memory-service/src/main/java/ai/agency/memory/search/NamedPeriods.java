package ai.agency.memory.search;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.Month;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The periods of time a search query names, for the date signal of {@link RankingSignals}: a day ({@code "8 May
 * 2023"}, {@code "May 8th, 2023"}), a month of a year ({@code "May 2023"}), a month of any year ({@code "in
 * August"}; "may" only as "in may", it is mostly the verb) or a year ({@code "2022"}). English month names, like the
 * temporal words. Each pattern runs on what the more specific ones left, so "8 May 2023" is one day, not also a month
 * and a year. Impossible dates (31 February) name nothing.
 */
final class NamedPeriods {

    private static final String MONTHS =
            "january|february|march|april|may|june|july|august|september|october|november|december";
    private static final Pattern DAY_MONTH_YEAR =
            Pattern.compile("\\b(\\d{1,2})(?:st|nd|rd|th)? (" + MONTHS + "),? (\\d{4})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern MONTH_DAY_YEAR =
            Pattern.compile("\\b(" + MONTHS + ") (\\d{1,2})(?:st|nd|rd|th)?,? (\\d{4})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern MONTH_YEAR =
            Pattern.compile("\\b(" + MONTHS + "),? (\\d{4})\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern MONTH = Pattern.compile("\\b(" + MONTHS + ")\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern IN_MAY = Pattern.compile("\\bin may\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern YEAR = Pattern.compile("\\b(19\\d\\d|20\\d\\d)\\b");

    /** What is told later is still about the period: a memory dated up to this many days after its end counts. */
    static final int SLACK_DAYS = 7;

    private NamedPeriods() {}

    /** A period: days {@code [from, until)}, or a month of any year ({@code from} null). */
    record Period(LocalDate from, LocalDate until, int monthOfAnyYear) {

        /** Whether a memory about {@code day} is about this period (or told up to {@link #SLACK_DAYS} after it). */
        boolean covers(LocalDate day) {
            if (monthOfAnyYear > 0) {
                return day.getMonthValue() == monthOfAnyYear
                        || day.minusDays(SLACK_DAYS).getMonthValue() == monthOfAnyYear;
            }
            return !day.isBefore(from) && day.isBefore(until.plusDays(SLACK_DAYS));
        }
    }

    /** The periods {@code query} names, most specific first; empty when it names none. */
    static List<Period> in(String query) {
        List<Period> periods = new ArrayList<>();
        String rest = query;
        rest = take(rest, DAY_MONTH_YEAR, m -> day(m.group(3), m.group(2), m.group(1)), periods);
        rest = take(rest, MONTH_DAY_YEAR, m -> day(m.group(3), m.group(1), m.group(2)), periods);
        rest = take(
                rest,
                MONTH_YEAR,
                m -> {
                    LocalDate first = LocalDate.of(Integer.parseInt(m.group(2)), month(m.group(1)), 1);
                    return new Period(first, first.plusMonths(1), 0);
                },
                periods);
        boolean inMay = IN_MAY.matcher(query).find();
        rest = take(
                rest,
                MONTH,
                m -> month(m.group(1)) == 5 && !inMay
                        ? null
                        : new Period(LocalDate.MIN, LocalDate.MIN, month(m.group(1))),
                periods);
        take(
                rest,
                YEAR,
                m -> {
                    LocalDate first = LocalDate.of(Integer.parseInt(m.group(1)), 1, 1);
                    return new Period(first, first.plusYears(1), 0);
                },
                periods);
        return periods;
    }

    /** The period a match names, or null for none. */
    private interface PeriodOf {
        @Nullable
        Period of(Matcher match);
    }

    /** Adds the period of every match and returns the text without the matches. */
    private static String take(String text, Pattern pattern, PeriodOf period, List<Period> periods) {
        Matcher m = pattern.matcher(text);
        boolean found = false;
        while (m.find()) {
            found = true;
            try {
                Period p = period.of(m);
                if (p != null) {
                    periods.add(p);
                }
            } catch (DateTimeException | NumberFormatException e) {
                // an impossible date names nothing
            }
        }
        return found ? pattern.matcher(text).replaceAll(" ") : text;
    }

    private static Period day(String year, String month, String day) {
        LocalDate date = LocalDate.of(Integer.parseInt(year), month(month), Integer.parseInt(day));
        return new Period(date, date.plusDays(1), 0);
    }

    private static int month(String name) {
        return Month.valueOf(name.toUpperCase(Locale.ROOT)).getValue();
    }
}
