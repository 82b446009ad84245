package ai.agency.orchestration.workflow;

import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageRecorder;
import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Commits a pass: every change it decided and its events, in the order decided, in one transaction — under the run's
 * row lock and only while this instance still holds the run's claim, with each step change guarded by the step's
 * state and attempt as the pass read them (else a {@link RunConflict} rolls it all back) — then announces it.
 */
final class PassWriter {

    private final RunRepository runs;
    private final RunStepRepository runSteps;
    private final RunEventRepository events;
    private final TransactionTemplate tx;
    private final RunNotifier notifier;
    private final WorkflowMetrics metrics;
    private final String instance;
    private final UsageRecorder usage;

    PassWriter(
            RunRepository runs,
            RunStepRepository runSteps,
            RunEventRepository events,
            TransactionTemplate tx,
            RunNotifier notifier,
            WorkflowMetrics metrics,
            String instance,
            UsageRecorder usage) {
        this.runs = runs;
        this.runSteps = runSteps;
        this.events = events;
        this.tx = tx;
        this.notifier = notifier;
        this.metrics = metrics;
        this.instance = instance;
        this.usage = usage;
    }

    /** Writes and announces the pass; false (nothing written) when the run had ended meanwhile. */
    boolean commit(PassChanges pass) {
        if (!Boolean.TRUE.equals(tx.execute(s -> apply(pass)))) {
            return false;
        }
        notifier.changed();
        if (pass.failure() != null) {
            metrics.runFinished(Run.FAILED);
        } else if (pass.output() != null) {
            metrics.runFinished(Run.SUCCEEDED);
        }
        return true;
    }

    private boolean apply(PassChanges pass) {
        UUID runId = pass.run().id();
        RunRepository.RunLock lock = runs.lockRunClaim(runId);
        if (lock == null || !Run.ACTIVE.contains(lock.status())) {
            return false;
        }
        if (!instance.equals(lock.claimedBy())) {
            throw new RunConflict(true, "run " + runId + " is claimed by " + lock.claimedBy());
        }
        if (pass.runStarted()) {
            runs.runStatus(runId, Run.RUNNING);
        }
        writeSteps(runId, pass);
        writeRun(runId, pass);
        countSteps(pass);
        events.appendEvents(runId, pass.eventTypes(), pass.eventData());
        return true;
    }

    private void writeSteps(UUID runId, PassChanges pass) {
        if (!pass.completed().isEmpty()) {
            expect(
                    runId,
                    pass.completed().size(),
                    runSteps.completeRunning(
                            runId,
                            pass.completed().stream()
                                    .map(PassChanges.Done::stepId)
                                    .toList(),
                            pass.completed().stream()
                                    .map(PassChanges.Done::attempt)
                                    .toList(),
                            pass.completed().stream()
                                    .map(PassChanges.Done::output)
                                    .toList()));
        }
        for (PassChanges.RetryLater retry : pass.retries()) {
            boolean retried = runSteps.retryStep(runId, retry.stepId(), retry.attempt(), retry.error(), retry.at());
            expect(runId, 1, retried ? 1 : 0);
        }
        if (!pass.computed().isEmpty()) {
            expect(
                    runId,
                    pass.computed().size(),
                    runSteps.succeedPending(
                            runId,
                            pass.computed().stream()
                                    .map(PassChanges.Done::stepId)
                                    .toList(),
                            pass.computed().stream()
                                    .map(PassChanges.Done::attempt)
                                    .toList(),
                            pass.computed().stream()
                                    .map(PassChanges.Done::output)
                                    .toList()));
        }
        if (!pass.skipped().isEmpty()) {
            expect(runId, pass.skipped().size(), runSteps.skipPending(runId, pass.skipped(), pass.skipReasons()));
        }
        for (String stepId : pass.awaiting()) {
            boolean parked = runSteps.stepStatus(runId, stepId, RunStep.PENDING, RunStep.WAITING_APPROVAL);
            expect(runId, 1, parked ? 1 : 0);
        }
        if (!pass.starts().isEmpty()) {
            expect(
                    runId,
                    pass.starts().size(),
                    runSteps.startPending(
                            runId,
                            pass.starts().stream().map(s -> s.step().id()).toList(),
                            pass.starts().stream()
                                    .map(PassChanges.Start::attempt)
                                    .toList()));
        }
    }

    private void writeRun(UUID runId, PassChanges pass) {
        PassChanges.Failure failure = pass.failure();
        if (failure != null) {
            boolean marked = failure.attempt() > 0
                    ? runSteps.completeStep(
                            runId, failure.stepId(), failure.attempt(), RunStep.FAILED, null, failure.error())
                    : runSteps.stepStatus(runId, failure.stepId(), RunStep.PENDING, RunStep.FAILED);
            expect(runId, 1, marked ? 1 : 0);
            runSteps.cancelOpenSteps(runId);
            runs.finishRun(runId, Run.FAILED, null, failure.error());
        } else if (pass.output() != null) {
            runs.finishRun(runId, Run.SUCCEEDED, pass.output(), null);
        } else if (pass.status() != null) {
            runs.runStatus(runId, pass.status());
        }
    }

    /** Each step that ended in this pass (succeeded, or failed for good after running) is a workflow step used. */
    private void countSteps(PassChanges pass) {
        UUID runId = pass.run().id();
        UUID user = pass.run().userId();
        for (PassChanges.Done done : pass.completed()) {
            usage.record(UsageEvent.workflowStep(stepId(runId, done.stepId(), done.attempt()), user));
        }
        for (PassChanges.Done done : pass.computed()) {
            usage.record(UsageEvent.workflowStep(stepId(runId, done.stepId(), done.attempt()), user));
        }
        PassChanges.Failure failure = pass.failure();
        if (failure != null && failure.attempt() > 0) {
            usage.record(UsageEvent.workflowStep(stepId(runId, failure.stepId(), failure.attempt()), user));
        }
    }

    private static UUID stepId(UUID runId, String stepId, int attempt) {
        return UsageEvent.idOf("workflow-step:" + runId + ":" + stepId + ":" + attempt);
    }

    private static void expect(UUID runId, int expected, int changed) {
        if (changed != expected) {
            throw new RunConflict(
                    false,
                    "workflow run " + runId + ": " + (expected - changed)
                            + " step(s) were not in the state the coordinator read");
        }
    }
}
