package ai.agency.orchestration.schedule;

import ai.agency.orchestration.workflow.TriggerCredentials;
import java.time.Instant;
import java.util.UUID;
import tools.jackson.databind.JsonNode;

/**
 * A cron schedule of a workflow as stored, with the API key its runs act with ({@link TriggerCredentials}) and what
 * its last tick did.
 */
record Schedule(
        long seq,
        UUID id,
        UUID workflowId,
        UUID userId,
        String cron,
        String timeZone,
        JsonNode input,
        String missedPolicy,
        boolean paused,
        TriggerCredentials.Key key,
        Instant lastTick,
        UUID lastRunId,
        String lastError,
        Instant createdAt) {

    static final String RUN_ONCE = "run_once";
    static final String SKIP = "skip";

    CronTimes times() {
        return CronTimes.parse(cron, timeZone);
    }
}
