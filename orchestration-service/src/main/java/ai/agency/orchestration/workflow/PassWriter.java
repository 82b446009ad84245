package ai.agency.orchestration.workflow;

import java.util.UUID;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Commits a pass: every change it decided and its events, in the order decided, in one transaction — under the run's
 * row lock and only while this instance still holds the run's claim, with each step change guarded by the step's
 * state and attempt as the pass read them (else a {@link RunConflict} rolls it all back) — then announces it.
 */
final class PassWriter {

    private final WorkflowRepository repository;
    private final TransactionTemplate tx;
    private final RunNotifier notifier;
    private final WorkflowMetrics metrics;
    private final String instance;

    PassWriter(
            WorkflowRepository repository,
            TransactionTemplate tx,
            RunNotifier notifier,
            WorkflowMetrics metrics,
            String instance) {
        this.repository = repository;
        this.tx = tx;
        this.notifier = notifier;
        this.metrics = metrics;
        this.instance = instance;
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
        WorkflowRepository.RunLock lock = repository.lockRunClaim(runId);
        if (lock == null || !Run.ACTIVE.contains(lock.status())) {
            return false;
        }
        if (!instance.equals(lock.claimedBy())) {
            throw new RunConflict(true, "run " + runId + " is claimed by " + lock.claimedBy());
        }
        if (pass.runStarted()) {
            repository.runStatus(runId, Run.RUNNING);
        }
        writeSteps(runId, pass);
        writeRun(runId, pass);
        repository.appendEvents(runId, pass.eventTypes(), pass.eventData());
        return true;
    }

    private void writeSteps(UUID runId, PassChanges pass) {
        if (!pass.completed().isEmpty()) {
            expect(
                    runId,
                    pass.completed().size(),
                    repository.completeRunning(
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
            boolean retried = repository.retryStep(runId, retry.stepId(), retry.attempt(), retry.error(), retry.at());
            expect(runId, 1, retried ? 1 : 0);
        }
        if (!pass.computed().isEmpty()) {
            expect(
                    runId,
                    pass.computed().size(),
                    repository.succeedPending(
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
            expect(runId, pass.skipped().size(), repository.skipPending(runId, pass.skipped(), pass.skipReasons()));
        }
        for (String stepId : pass.awaiting()) {
            boolean parked = repository.stepStatus(runId, stepId, RunStep.PENDING, RunStep.WAITING_APPROVAL);
            expect(runId, 1, parked ? 1 : 0);
        }
        if (!pass.starts().isEmpty()) {
            expect(
                    runId,
                    pass.starts().size(),
                    repository.startPending(
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
                    ? repository.completeStep(
                            runId, failure.stepId(), failure.attempt(), RunStep.FAILED, null, failure.error())
                    : repository.stepStatus(runId, failure.stepId(), RunStep.PENDING, RunStep.FAILED);
            expect(runId, 1, marked ? 1 : 0);
            repository.cancelOpenSteps(runId);
            repository.finishRun(runId, Run.FAILED, null, failure.error());
        } else if (pass.output() != null) {
            repository.finishRun(runId, Run.SUCCEEDED, pass.output(), null);
        } else if (pass.status() != null) {
            repository.runStatus(runId, pass.status());
        }
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
