package ai.agency.orchestration.schedule;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.workflow.TriggerCredentials;
import ai.agency.orchestration.workflow.TriggeredRuns;
import ai.agency.orchestration.workflow.WorkflowTriggers;
import com.github.kagkarlsson.scheduler.Scheduler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Creating, listing, pausing and deleting the caller's own workflow schedules. */
@Service
class ScheduleService implements WorkflowTriggers {

    private static final Logger log = LoggerFactory.getLogger(ScheduleService.class);
    private static final Set<String> POLICIES = Set.of(Schedule.RUN_ONCE, Schedule.SKIP);

    private final ScheduleRepository schedules;
    private final ScheduleTicks ticks;
    private final Scheduler scheduler;
    private final TriggerCredentials credentials;
    private final TriggeredRuns runs;
    private final TransactionTemplate tx;
    private final JsonMapper json;
    private final OrchestrationProperties.Schedules settings;

    ScheduleService(
            ScheduleRepository schedules,
            ScheduleTicks ticks,
            Scheduler scheduler,
            TriggerCredentials credentials,
            TriggeredRuns runs,
            TransactionTemplate tx,
            JsonMapper json,
            OrchestrationProperties properties) {
        this.schedules = schedules;
        this.ticks = ticks;
        this.scheduler = scheduler;
        this.credentials = credentials;
        this.runs = runs;
        this.tx = tx;
        this.json = json;
        this.settings = properties.workflows().schedules();
    }

    ScheduleView create(Caller caller, UUID workflowId, ScheduleRequest request) {
        runs.requireOwnWorkflow(caller, workflowId);
        if (request.cron() == null || request.cron().isBlank()) {
            throw AgencyException.invalidField("cron", "is required");
        }
        String zone = request.timeZone() == null ? "UTC" : request.timeZone().strip();
        CronTimes times = CronTimes.parse(request.cron(), zone);
        String policy = Objects.requireNonNullElse(request.missedPolicy(), Schedule.RUN_ONCE);
        if (!POLICIES.contains(policy)) {
            throw AgencyException.invalidField("missedPolicy", "must be run_once or skip");
        }
        JsonNode input = input(request.input());
        if (schedules.count(caller.id()) >= settings.maxPerUser()) {
            throw AgencyException.conflict(
                    "You have " + settings.maxPerUser() + " schedules, the most one user may have; delete one first");
        }
        UUID id = UUID.randomUUID();
        TriggerCredentials.Key key = credentials.issue(caller, "workflow-schedule " + id);
        Instant now = Instant.now();
        Schedule schedule = new Schedule(
                0,
                id,
                workflowId,
                caller.id(),
                CronTimes.normalize(request.cron()),
                times.zone().getId(),
                input,
                policy,
                false,
                key,
                null,
                null,
                null,
                now);
        Instant first = times.next(now);
        try {
            tx.executeWithoutResult(s -> {
                schedules.insert(schedule);
                scheduler.schedule(ticks.instance(id, first), first);
            });
        } catch (RuntimeException e) {
            credentials.revoke(key);
            throw e;
        }
        log.info(
                "user {} scheduled workflow {} as schedule {} ({} {})",
                caller.id(),
                workflowId,
                id,
                schedule.cron(),
                zone);
        return ScheduleView.of(schedule, now);
    }

    Page<ScheduleView> list(Caller caller, Integer limit, String cursor) {
        int size = Page.limit(limit);
        List<Schedule> rows = schedules.list(caller.id(), Cursor.seq(cursor), size);
        Instant now = Instant.now();
        return Page.of(rows, size, s -> ScheduleView.of(s, now), s -> Cursor.of(s.seq()));
    }

    ScheduleView get(Caller caller, UUID id) {
        return ScheduleView.of(own(caller, id), Instant.now());
    }

    ScheduleView pause(Caller caller, UUID id, Boolean paused) {
        requireWriter(caller);
        if (paused == null) {
            throw AgencyException.invalidField("paused", "must be true or false");
        }
        if (!schedules.pause(id, caller.id(), paused)) {
            throw AgencyException.notFound("Schedule", id);
        }
        return get(caller, id);
    }

    /** Deletes the schedule (its pending tick goes with it) and revokes its API key. */
    void delete(Caller caller, UUID id) {
        requireWriter(caller);
        Schedule schedule = own(caller, id);
        if (!schedules.delete(id, caller.id())) {
            throw AgencyException.notFound("Schedule", id);
        }
        try {
            scheduler.cancel(ticks.instance(id, null));
        } catch (RuntimeException e) {
            // being handled right now, or already gone: a tick whose schedule is gone removes itself
            log.debug("schedule {}: its execution was not cancelled ({})", id, e.getMessage());
        }
        credentials.revoke(schedule.key());
    }

    private Schedule own(Caller caller, UUID id) {
        return schedules.find(id, caller.id()).orElseThrow(() -> AgencyException.notFound("Schedule", id));
    }

    private JsonNode input(JsonNode input) {
        if (input == null || input.isNull()) {
            return json.createObjectNode();
        }
        if (json.writeValueAsString(input).getBytes(StandardCharsets.UTF_8).length > settings.maxInputSize()) {
            throw AgencyException.invalidField("input", "is larger than " + settings.maxInputSize() + " bytes of JSON");
        }
        return input;
    }

    /** The workflow is being deleted: its schedules go with it, in its transaction. */
    @Override
    public List<TriggerCredentials.Key> deleteAll(UUID workflowId) {
        return schedules.deleteOfWorkflow(workflowId);
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot change schedules");
        }
    }
}
