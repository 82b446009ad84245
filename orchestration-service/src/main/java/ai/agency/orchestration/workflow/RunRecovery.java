package ai.agency.orchestration.workflow;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.orchestration.OrchestrationProperties;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's leases on runs, and getting runs going again. A claim is a lease of {@code lease} on the run's row,
 * renewed by the run's coordinator. Every {@code recovery-interval} (and at start-up) the sweep claims the unfinished
 * runs no live instance holds — an instance crashed and its lease expired, or it stopped and released its claims —
 * ({@code FOR UPDATE SKIP LOCKED}, so one instance gets each) and has the {@link RunEngine} resume them; the steps a
 * resumed run had running go back to pending under the same attempt number. A coordinator that failed is started
 * again after a pause, keeping the claim.
 */
final class RunRecovery {

    private static final Logger log = LoggerFactory.getLogger(RunRecovery.class);

    private final RunEngine engine;
    private final RunRepository runs;
    private final RunStepRepository runSteps;
    private final RunCredentials credentials;
    private final OrchestrationProperties.Workflows settings;
    private final String instance;
    /** Coordinator failures in a row, per run, for the restart backoff. */
    private final Map<UUID, Integer> restarts = new ConcurrentHashMap<>();

    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "workflow-recovery");
        t.setDaemon(true);
        return t;
    });

    RunRecovery(
            RunEngine engine,
            RunRepository runs,
            RunStepRepository runSteps,
            RunCredentials credentials,
            OrchestrationProperties.Workflows settings,
            String instance) {
        this.engine = engine;
        this.runs = runs;
        this.runSteps = runSteps;
        this.credentials = credentials;
        this.settings = settings;
        this.instance = instance;
    }

    /** Sweeps now and every {@code recovery-interval}: abandoned runs, and credentials of ended runs to revoke. */
    void startSweeping() {
        sweeper.scheduleWithFixedDelay(
                this::sweepQuietly, 0, settings.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void sweepQuietly() {
        try {
            recover();
            credentials.revokeFinished();
        } catch (RuntimeException e) {
            log.warn("workflow recovery sweep failed: {}", e.toString());
        }
    }

    /** Claims the unfinished runs that no live instance holds and resumes them; returns how many. */
    int recover() {
        if (engine.stopping()) {
            return 0;
        }
        List<UUID> claimed = runs.claimAbandoned(instance, settings.lease(), 100);
        for (UUID runId : claimed) {
            log.info("resuming workflow run {}", runId);
            engine.start(runId);
        }
        return claimed.size();
    }

    /**
     * A resumed run: the steps it had running were cut off, not failed. They go back to pending under the same
     * attempt number — a crash does not use up {@code retry.maxAttempts} — so a tool call made again carries the same
     * {@code Idempotency-Key} and tool-service answers it with the first call's result.
     */
    void requeueCutOffSteps(UUID runId) {
        runSteps.requeueRunningSteps(runId);
    }

    /** Extends this instance's lease on the run; false when the claim was lost (or the run ended). */
    boolean renew(UUID runId) {
        return runs.renewClaim(runId, instance, settings.lease());
    }

    Duration lease() {
        return settings.lease();
    }

    /**
     * The run's coordinator failed (typically the database was briefly unreachable or its pool exhausted): start a new
     * one after a pause that doubles with each failure in a row (1 s … {@code recovery-interval}). The claim is kept;
     * steps that were running are run again, as after a restart.
     */
    void restartLater(UUID runId, RuntimeException e) {
        int failures = restarts.merge(runId, 1, Integer::sum);
        long delay = Math.min(settings.recoveryInterval().toMillis(), 1000L << Math.min(10, failures - 1));
        log.warn(
                "workflow run {} coordinator failed ({}); restarting it in {} ms",
                runId,
                ErrorClassifier.classify(e).code(),
                delay,
                e);
        try {
            sweeper.schedule(() -> engine.start(runId), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException rejected) {
            // stopping: the claim is released with all others
        }
    }

    /** The run ended: its restart count is forgotten. */
    void ended(UUID runId) {
        restarts.remove(runId);
    }

    /** No more sweeps or restarts: the instance stops. */
    void stop() {
        sweeper.shutdownNow();
    }

    /** Hands every run this instance holds to the next sweep of any instance. */
    void releaseClaims() {
        try {
            runs.releaseClaims(instance);
        } catch (RuntimeException e) {
            log.warn("could not release the claims of {} on workflow runs: {}", instance, e.toString());
        }
    }
}
