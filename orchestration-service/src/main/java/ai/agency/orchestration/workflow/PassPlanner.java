package ai.agency.orchestration.workflow;

import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.OrchestrationProperties;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import tools.jackson.databind.json.JsonMapper;

/**
 * Decides what follows in a pass of a {@link RunCoordinator}: takes in the attempts that ended (the step succeeded,
 * is retried after a backoff, or fails the run) and finds the steps that are ready — skipped when their condition is
 * false or all their dependencies were skipped, parked when they need an approval, computed at once when they are
 * {@code transform} steps (at most {@code inline-steps-per-transaction} per pass), started while there are execution
 * slots — repeating while a decision makes more steps ready; then whether the run succeeds, runs or waits for a
 * person. Everything it decides is recorded in the pass's {@link PassChanges}. One planner serves every run.
 */
final class PassPlanner {

    /** What {@link #decide} did with one step. */
    private enum Decision {
        /** Not ready (or not pending), or a transform over this pass's budget. */
        NONE,
        /** Waits for its retry time. */
        LATER,
        /** Skipped, which may make more steps ready. */
        SKIPPED,
        AWAITING_APPROVAL,
        /** Computed by the coordinator, which may make more steps ready. */
        COMPUTED,
        /** Ready, but no execution slot is free. */
        BLOCKED,
        STARTED,
        /** Its condition cannot be evaluated, and other steps start in this pass: it fails the run in the next. */
        DEFERRED,
        /** Its condition cannot be evaluated: the run fails in this pass. */
        FAILED
    }

    private final OrchestrationProperties.Workflows settings;
    private final WorkflowMetrics metrics;
    private final StepLauncher launcher;
    private final RunEvents events;
    private final JsonMapper json;

    PassPlanner(
            OrchestrationProperties.Workflows settings,
            WorkflowMetrics metrics,
            StepLauncher launcher,
            RunEvents events,
            JsonMapper json) {
        this.settings = settings;
        this.metrics = metrics;
        this.launcher = launcher;
        this.events = events;
        this.json = json;
    }

    /** A new pass over the run's committed state. */
    PassChanges open(Run run, List<RunStep> steps) {
        return new PassChanges(run, steps, events, json);
    }

    /** An attempt ended: its step succeeded, waits for a retry, or failed the run. */
    void outcome(PassChanges pass, RunningSteps running, StepLauncher.Outcome outcome) {
        if (!running.end(outcome)) {
            return; // not the attempt that runs now
        }
        StepDefinition step = pass.definition(outcome.stepId());
        metrics.step(step.type(), outcome.failure() == null ? "succeeded" : "failed", outcome.took());
        RunStep state = pass.state(step.id());
        if (pass.failed()
                || state == null
                || !RunStep.RUNNING.equals(state.status())
                || state.attempts() != outcome.attempt()) {
            return; // cancelled meanwhile, or the run fails anyway
        }
        if (outcome.failure() == null) {
            pass.succeeded(step, outcome.attempt(), outcome.output());
            return;
        }
        StepFailure failed = outcome.failure();
        if (failed.type().recoverable() && outcome.attempt() < step.maxAttempts()) {
            long delay = backoff(step, outcome.attempt());
            pass.retryLater(step, outcome.attempt(), failed, Instant.now().plusMillis(delay), delay);
            return;
        }
        pass.fail(step, outcome.attempt(), failed);
    }

    /** {@code backoffMs · 2^(attempt-1)}, capped by {@code max-backoff}, with jitter: between half and all of it. */
    private long backoff(StepDefinition step, int attempt) {
        long base = step.backoffMs() << Math.min(20, attempt - 1);
        long capped = Math.min(base, settings.maxBackoff().toMillis());
        return capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
    }

    /**
     * Decides what is next, repeating while a decision makes more steps ready, and ends the run when every step has
     * finished. Returns when to look again at the latest (the next retry), or null when the run ends in this pass.
     */
    Instant plan(PassChanges pass, RunningSteps running) {
        running.cancelUnlessRunning(pass); // steps cancelled elsewhere (or finished) must not keep running here
        if (pass.failed()) {
            return null;
        }
        Instant wake = Instant.now().plus(RunCoordinator.POLL);
        int budget = settings.inlineStepsPerTransaction();
        int blocked = 0;
        boolean changed = true;
        rounds:
        while (changed) {
            changed = false;
            blocked = 0;
            for (StepDefinition step : pass.run().steps()) {
                switch (decide(pass, running, step, budget > 0)) {
                    case LATER -> wake = earlier(wake, pass.state(step.id()).nextAttemptAt());
                    case SKIPPED -> changed = true;
                    case COMPUTED -> {
                        budget--;
                        changed = true;
                    }
                    case BLOCKED -> {
                        blocked++;
                        wake = earlier(wake, Instant.now().plusMillis(20));
                    }
                    case DEFERRED -> {
                        break rounds; // commit the starts first; the run fails in the next pass
                    }
                    case FAILED -> {
                        return null;
                    }
                    default -> {}
                }
            }
        }
        return conclude(pass, running, blocked, wake);
    }

    private Decision decide(PassChanges pass, RunningSteps running, StepDefinition step, boolean mayCompute) {
        RunStep state = pass.state(step.id());
        if (!RunStep.PENDING.equals(state.status())) {
            return Decision.NONE;
        }
        if (state.nextAttemptAt() != null && Instant.now().isBefore(state.nextAttemptAt())) {
            return Decision.LATER;
        }
        List<RunStep> deps = step.dependencies().stream().map(pass::state).toList();
        if (!deps.stream().allMatch(d -> RunStep.SUCCEEDED.equals(d.status()) || RunStep.SKIPPED.equals(d.status()))) {
            return Decision.NONE;
        }
        if (!deps.isEmpty() && deps.stream().allMatch(d -> RunStep.SKIPPED.equals(d.status()))) {
            pass.skip(step, "all its dependencies were skipped");
            return Decision.SKIPPED;
        }
        if (step.condition() != null) {
            Decision byCondition = condition(pass, step);
            if (byCondition != null) {
                return byCondition;
            }
        }
        if (step.needsApproval() && state.approved() == null) {
            pass.awaitApproval(step);
            return Decision.AWAITING_APPROVAL;
        }
        if (computedHere(step)) {
            if (!mayCompute) {
                return Decision.NONE; // over the budget: in the next transaction
            }
            int attempt = state.attempts() + 1;
            pass.computed(step, attempt, launcher.compute(pass.run(), step, attempt, pass.scope()));
            return Decision.COMPUTED;
        }
        if (running.size() + pass.starts().size() >= settings.maxParallelStepsPerRun() || !launcher.tryReserve()) {
            return Decision.BLOCKED;
        }
        pass.start(step);
        return Decision.STARTED;
    }

    /** Skips the step when its condition is false; null when it is true. */
    private Decision condition(PassChanges pass, StepDefinition step) {
        boolean go;
        try {
            go = Conditions.evaluate(step.condition(), pass.plainScope());
        } catch (IllegalArgumentException e) {
            if (!pass.starts().isEmpty()) {
                return Decision.DEFERRED;
            }
            pass.fail(step, 0, new StepFailure(ErrorType.VALIDATION, e.getMessage()));
            return Decision.FAILED;
        }
        if (!go) {
            pass.skip(step, "its condition is false");
            return Decision.SKIPPED;
        }
        return null;
    }

    /** Steps without an effect outside the run: computed by the coordinator, not on a thread of their own. */
    private boolean computedHere(StepDefinition step) {
        return "transform".equals(step.type()) && settings.inlineStepsPerTransaction() > 0;
    }

    /** After the decisions: the gauges, and whether the run succeeds, runs, or waits for nothing but approvals. */
    private Instant conclude(PassChanges pass, RunningSteps running, int blocked, Instant wake) {
        int waiting = (int) pass.states().stream()
                .filter(s -> RunStep.WAITING_APPROVAL.equals(s.status()))
                .count();
        running.load(blocked, waiting);
        if (pass.states().stream().allMatch(RunStep::finished)) {
            pass.succeedRun();
            return null;
        }
        String current = pass.runStarted() ? Run.RUNNING : pass.run().status();
        boolean retryPending =
                pass.states().stream().anyMatch(s -> RunStep.PENDING.equals(s.status()) && s.nextAttemptAt() != null);
        String next = running.isEmpty() && pass.starts().isEmpty() && waiting > 0 && blocked == 0 && !retryPending
                ? Run.WAITING_APPROVAL
                : Run.RUNNING;
        if (!next.equals(current)) {
            pass.status(next);
        }
        return wake;
    }

    private static Instant earlier(Instant a, Instant b) {
        return b.isBefore(a) ? b : a;
    }
}
