package ai.agency.orchestration.workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes one run this instance has claimed, on a virtual thread of its own, in passes: read the run's committed
 * state, take in the attempts that ended, let the {@link PassPlanner} decide what follows, have the {@link PassWriter}
 * commit all of it in one transaction, then launch the steps it started; when nothing is to be done, wait for an
 * outcome, a signal or the next retry. It ends with the run, when its claim is lost, or when the instance stops;
 * when it fails, {@link RunRecovery} starts a new one after a pause.
 */
final class RunCoordinator implements Runnable {

    /** The longest a coordinator waits before it reads the run's committed state again. */
    static final Duration POLL = Duration.ofMillis(500);

    private static final Logger log = LoggerFactory.getLogger(RunCoordinator.class);

    private enum Wake {
        INSTANCE
    }

    private final UUID runId;
    private final RunEngine engine;
    private final RunRecovery recovery;
    private final RunRepository runs;
    private final RunStepRepository runSteps;
    private final PassPlanner planner;
    private final PassWriter writer;
    /** Outcomes of attempts and wake-up signals. */
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Outcomes taken from the inbox while waiting, handled in the next pass. */
    private final List<StepLauncher.Outcome> received = new ArrayList<>();

    private final RunningSteps running;
    private volatile Thread thread;
    private Instant renewedAt = Instant.now();
    private Run definition;

    /** {@code queued}: the run as just inserted by this instance (none of its steps ran), else null. */
    RunCoordinator(
            UUID runId,
            Run queued,
            RunEngine engine,
            RunRecovery recovery,
            RunRepository runs,
            RunStepRepository runSteps,
            PassPlanner planner,
            PassWriter writer,
            StepLauncher launcher) {
        this.runId = runId;
        this.definition = queued;
        this.engine = engine;
        this.recovery = recovery;
        this.runs = runs;
        this.runSteps = runSteps;
        this.planner = planner;
        this.writer = writer;
        this.running = new RunningSteps(launcher, inbox::offer);
    }

    /** Starts the coordinator's thread. */
    void start() {
        thread = Thread.ofVirtual().name("run-" + runId).start(this);
    }

    /** Something changed in the run's committed state (approval, cancel): look again now. */
    void wake() {
        inbox.offer(Wake.INSTANCE);
    }

    /** Stops the coordinator: it commits nothing more. */
    void interrupt() {
        thread.interrupt();
    }

    void join(Duration timeout) throws InterruptedException {
        thread.join(timeout);
    }

    int blocked() {
        return running.blocked();
    }

    int waiting() {
        return running.waiting();
    }

    @Override
    public void run() {
        try {
            if (definition == null) {
                recovery.requeueCutOffSteps(runId); // resumed: what was running here is run again
            }
            while (!engine.stopping() && pass()) {
                // the next pass
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RunConflict e) {
            if (e.lostClaim()) {
                log.warn("lost the claim on workflow run {}; another instance executes it", runId);
            } else if (!engine.stopping()) {
                recovery.restartLater(runId, e);
            }
        } catch (RuntimeException e) {
            if (!engine.stopping()) {
                recovery.restartLater(runId, e);
            }
        } finally {
            running.cancelAll();
            engine.exited(runId);
        }
    }

    /**
     * One pass: read the run's committed state, apply the outcomes of finished attempts, decide what is next, commit
     * all of it, announce it, launch the steps started; when nothing is to be done, wait for an outcome, a signal or
     * the next retry. False when the coordinator is done: the run ended, or the claim was lost.
     */
    private boolean pass() throws InterruptedException {
        if (!renew()) {
            log.warn("lost the claim on workflow run {}; another instance executes it", runId);
            return false;
        }
        // the definition, input and identity never change: read once; status and steps every time
        RunStepRepository.RunState state = runSteps.runState(runId);
        if (definition == null && state != null) {
            definition = runs.findRun(runId).orElse(null);
        }
        Run run = state == null || definition == null ? null : definition.withStatus(state.status());
        if (run == null || run.finished()) {
            engine.ended(runId);
            return false;
        }
        PassChanges pass = planner.open(run, state.steps());
        for (Object message = inbox.poll(); message != null; message = inbox.poll()) {
            if (message instanceof StepLauncher.Outcome outcome) {
                received.add(outcome);
            }
        }
        received.forEach(outcome -> planner.outcome(pass, running, outcome));
        received.clear();
        Instant nextWake = planner.plan(pass, running);
        if (!pass.isEmpty()) {
            if (commit(pass) && pass.endsRun()) {
                engine.ended(runId);
                return false;
            }
            return true;
        }
        if (nextWake != null) {
            await(nextWake);
        }
        return true;
    }

    /** Waits for an outcome or a signal until {@code nextWake}, at most {@link #POLL}. */
    private void await(Instant nextWake) throws InterruptedException {
        long millis = Math.max(
                1,
                Math.min(
                        POLL.toMillis(),
                        Duration.between(Instant.now(), nextWake).toMillis()));
        if (inbox.poll(millis, TimeUnit.MILLISECONDS) instanceof StepLauncher.Outcome outcome) {
            received.add(outcome);
        }
    }

    /** Commits the pass, then launches the steps it started; false (nothing written) when the run had ended. */
    private boolean commit(PassChanges pass) {
        if (engine.stopping()) {
            throw new IllegalStateException("stopping");
        }
        boolean applied;
        try {
            applied = writer.commit(pass);
        } catch (RuntimeException e) {
            running.unreserve(pass.starts().size());
            throw e;
        }
        if (!applied) {
            running.unreserve(pass.starts().size());
            return false;
        }
        pass.starts().forEach(start -> running.launch(pass.run(), start));
        return true;
    }

    private boolean renew() {
        if (Duration.between(renewedAt, Instant.now())
                        .compareTo(recovery.lease().dividedBy(3))
                < 0) {
            return true;
        }
        renewedAt = Instant.now();
        return recovery.renew(runId);
    }
}
