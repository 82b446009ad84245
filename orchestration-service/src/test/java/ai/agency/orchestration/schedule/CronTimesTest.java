package ai.agency.orchestration.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.agency.common.error.AgencyException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cron expressions read in a time zone, without Spring or a database. */
class CronTimesTest {

    @Test
    void aDailyTimeFollowsTheZoneAcrossDaylightSavingTime() {
        CronTimes paris = CronTimes.parse("0 30 9 * * *", "Europe/Paris");
        // the last Sunday of October 2026 (Oct 25) ends summer time: 09:30 is 07:30Z before, 08:30Z after
        List<Instant> next = paris.next(3, Instant.parse("2026-10-23T12:00:00Z"));
        assertThat(next)
                .containsExactly(
                        Instant.parse("2026-10-24T07:30:00Z"),
                        Instant.parse("2026-10-25T08:30:00Z"),
                        Instant.parse("2026-10-26T08:30:00Z"));
    }

    @Test
    void fiveFieldsFireAtSecondZeroAndMacrosWork() {
        assertThat(CronTimes.normalize(" 30  12 * * 1-5 ")).isEqualTo("0 30 12 * * 1-5");
        assertThat(CronTimes.normalize("@daily")).isEqualTo("@daily");
        assertThat(CronTimes.parse("@hourly", "UTC").next(Instant.parse("2026-01-01T10:15:00Z")))
                .isEqualTo(Instant.parse("2026-01-01T11:00:00Z"));
        assertThat(CronTimes.parse("*/15 * * * *", "UTC").next(Instant.parse("2026-01-01T10:16:00Z")))
                .isEqualTo(Instant.parse("2026-01-01T10:30:00Z"));
    }

    @Test
    void invalidExpressionsAndZonesNameTheirField() {
        for (String[] bad : new String[][] {
            {"61 * * * * *", "UTC", "cron"},
            {"", "UTC", "cron"},
            {"0 0 0 30 2 *", "UTC", "cron"},
            {"* * * * * *", "Nowhere/Atlantis", "timeZone"},
            {"* * * * * *", "", "timeZone"}
        }) {
            assertThatThrownBy(() -> CronTimes.parse(bad[0], bad[1]))
                    .isInstanceOf(AgencyException.class)
                    .satisfies(e -> assertThat(((AgencyException) e)
                                    .fieldErrors()
                                    .getFirst()
                                    .field())
                            .isEqualTo(bad[2]));
        }
    }
}
