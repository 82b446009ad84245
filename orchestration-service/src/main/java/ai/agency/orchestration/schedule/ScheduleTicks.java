package ai.agency.orchestration.schedule;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.OrchestrationProperties;
import ai.agency.orchestration.workflow.TriggerCredentials;
import ai.agency.orchestration.workflow.TriggeredRuns;
import com.github.kagkarlsson.scheduler.task.CompletionHandler;
import com.github.kagkarlsson.scheduler.task.FailureHandler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.CustomTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/**
 * The ticks of workflow schedules, as one db-scheduler task ({@code workflow-schedule}): each schedule is one
 * execution of it (instance id = the schedule's id, data = the tick it stands for, execution time = that tick), which
 * db-scheduler hands to exactly one replica once it is due. Handling a tick starts the workflow's run as the
 * schedule's owner (unless paused, or missed and {@code skip}) and reschedules the execution to the next tick.
 *
 * <p>A tick is <em>missed</em> when it is handled more than {@code missed-after} after its time (everything was
 * down): {@code run_once} still runs it, once, and {@code skip} does not; either way the next tick is computed from now,
 * so a long outage never starts a burst of runs. A run and its row in {@code schedule_fires} (schedule, tick) are
 * inserted in one transaction, and that row's key is unique, so a tick handled twice (a retry after a crash, a second
 * replica) starts one run.
 */
@Component
class ScheduleTicks {

    static final String TASK_NAME = "workflow-schedule";

    private static final Logger log = LoggerFactory.getLogger(ScheduleTicks.class);

    private final ScheduleRepository schedules;
    private final TriggerCredentials credentials;
    private final TriggeredRuns runs;
    private final Duration missedAfter;
    private final CustomTask<Instant> task;

    ScheduleTicks(
            ScheduleRepository schedules,
            TriggerCredentials credentials,
            TriggeredRuns runs,
            OrchestrationProperties properties) {
        this.schedules = schedules;
        this.credentials = credentials;
        this.runs = runs;
        this.missedAfter = properties.workflows().schedules().missedAfter();
        // a tick that failed (the database was unreachable) is tried again with the same tick as its data
        this.task = Tasks.custom(TASK_NAME, Instant.class)
                .onFailure(new FailureHandler.OnFailureRetryLater<>(Duration.ofSeconds(10)))
                .execute((instance, context) -> handle(
                        UUID.fromString(instance.getId()),
                        instance.getData() != null ? instance.getData() : context.getExecution().executionTime));
    }

    /** The task, as a bean: the application's db-scheduler runs every task bean (SchedulerConfig). */
    @Bean
    CustomTask<Instant> workflowScheduleTask() {
        return task;
    }

    /** The execution that stands for the schedule's {@code tick}. */
    TaskInstance<Instant> instance(UUID scheduleId, Instant tick) {
        return task.instance(scheduleId.toString(), tick);
    }

    /** Handles the schedule's tick and says when the next one is (or that there is none: the schedule is gone). */
    CompletionHandler<Instant> handle(UUID scheduleId, Instant tick) {
        Optional<Schedule> found = schedules.find(scheduleId);
        if (found.isEmpty()) {
            return new CompletionHandler.OnCompleteRemove<>(); // deleted
        }
        Schedule schedule = found.get();
        Instant now = Instant.now();
        boolean missed = tick.isBefore(now.minus(missedAfter));
        if (missed && Schedule.SKIP.equals(schedule.missedPolicy()) && !schedule.paused()) {
            log.info("schedule {} skips its tick of {}, missed while the platform was down", scheduleId, tick);
            schedules.ticked(
                    scheduleId, tick, null, "the tick of " + tick + " was missed and skipped (missedPolicy skip)");
        } else if (!schedule.paused()) {
            fire(schedule, tick);
        }
        Instant next = schedule.times().next(missed ? now : tick);
        if (next == null) {
            return new CompletionHandler.OnCompleteRemove<>();
        }
        return (complete, operations) -> operations.reschedule(complete, next, next);
    }

    /** Starts the run of the schedule's {@code tick}, unless that tick already has one; the run's id, else empty. */
    Optional<UUID> fire(Schedule schedule, Instant tick) {
        try {
            Caller owner = credentials.actAs(schedule.key());
            Optional<UUID> run = runs.start(
                    owner,
                    schedule.workflowId(),
                    schedule.input(),
                    schedule.key(),
                    runId -> schedules.claimTick(schedule.id(), tick, runId));
            run.ifPresent(id -> schedules.ticked(schedule.id(), tick, id, null));
            return run;
        } catch (RuntimeException e) {
            String why = e instanceof AgencyException agency
                    ? agency.errorType().code() + ": " + agency.getMessage()
                    : ErrorClassifier.classify(e).code();
            log.warn(
                    "schedule {} could not start a run of workflow {} for its tick of {}: {}",
                    schedule.id(),
                    schedule.workflowId(),
                    tick,
                    why);
            schedules.ticked(schedule.id(), tick, null, why);
            return Optional.empty();
        }
    }
}
