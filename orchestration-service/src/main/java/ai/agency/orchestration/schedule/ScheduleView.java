package ai.agency.orchestration.schedule;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A schedule as its owner sees it: the next five ticks ({@code nextFireTimes}, empty while paused) and what the last
 * tick did ({@code lastRunId}, or {@code lastError} when it could not start a run).
 */
record ScheduleView(
        UUID id,
        UUID workflowId,
        String cron,
        String timeZone,
        JsonNode input,
        String missedPolicy,
        boolean paused,
        List<Instant> nextFireTimes,
        Instant lastTick,
        UUID lastRunId,
        String lastError,
        Instant createdAt) {

    static ScheduleView of(Schedule s, Instant now) {
        List<Instant> next = s.paused() ? List.of() : s.times().next(5, now);
        return new ScheduleView(
                s.id(),
                s.workflowId(),
                s.cron(),
                s.timeZone(),
                s.input(),
                s.missedPolicy(),
                s.paused(),
                next,
                s.lastTick(),
                s.lastRunId(),
                s.lastError(),
                s.createdAt());
    }
}
