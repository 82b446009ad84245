package ai.agency.orchestration.workflow;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The attempts of one run that execute on threads of their own — one per step at most, each holding an execution
 * slot of the {@link StepLauncher} — and the run's share of the engine's gauges. Used by the run's coordinator only.
 */
final class RunningSteps {

    /** What is executing for one step: its attempt and thread. */
    private record Attempt(int number, Future<?> future) {}

    private final StepLauncher launcher;
    private final Consumer<StepLauncher.Outcome> report;
    private final Map<String, Attempt> attempts = new HashMap<>();
    private volatile int blocked;
    private volatile int waiting;

    /** {@code report}: where the attempts' outcomes go (the coordinator's inbox). */
    RunningSteps(StepLauncher launcher, Consumer<StepLauncher.Outcome> report) {
        this.launcher = launcher;
        this.report = report;
    }

    /** Launches a step the committed pass started; its slot was reserved when the pass was planned. */
    void launch(Run run, PassChanges.Start start) {
        attempts.put(start.step().id(), new Attempt(start.attempt(), launcher.launch(run, start, report)));
    }

    /** Gives back the slots reserved for {@code count} starts that were not committed. */
    void unreserve(int count) {
        for (int i = 0; i < count; i++) {
            launcher.release();
        }
    }

    /**
     * Whether {@code outcome} is of the attempt that runs now for its step; if so, the attempt is over and its slot
     * free. An outcome of an attempt cancelled meanwhile is not.
     */
    boolean end(StepLauncher.Outcome outcome) {
        Attempt attempt = attempts.get(outcome.stepId());
        if (attempt == null || attempt.number() != outcome.attempt()) {
            return false;
        }
        attempts.remove(outcome.stepId());
        launcher.release();
        return true;
    }

    /** Interrupts the attempts of steps that are not running in the pass's view of the run (cancelled, finished). */
    void cancelUnlessRunning(PassChanges pass) {
        for (String id : Set.copyOf(attempts.keySet())) {
            RunStep state = pass.state(id);
            if (state == null || !RunStep.RUNNING.equals(state.status())) {
                attempts.remove(id).future().cancel(true);
                launcher.release();
            }
        }
    }

    /** Interrupts every attempt: the coordinator stops. */
    void cancelAll() {
        attempts.values().forEach(a -> {
            a.future().cancel(true);
            launcher.release();
        });
        attempts.clear();
    }

    int size() {
        return attempts.size();
    }

    boolean isEmpty() {
        return attempts.isEmpty();
    }

    /** Ready steps waiting for an execution slot and steps waiting for a person, as the last plan found them. */
    void load(int blockedSteps, int waitingApprovals) {
        this.blocked = blockedSteps;
        this.waiting = waitingApprovals;
    }

    /** Ready steps waiting for an execution slot ({@code agency_workflow_queue_depth}). */
    int blocked() {
        return blocked;
    }

    /** Steps waiting for a person ({@code agency_workflow_approvals_waiting}). */
    int waiting() {
        return waiting;
    }
}
