package ai.agency.orchestration.workflow;

import ai.agency.common.usage.UsageRecorder;
import ai.agency.orchestration.OrchestrationProperties;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Executes runs as DAGs. Each run this instance has claimed gets one {@link RunCoordinator} (a virtual thread) that
 * works in passes: it reads the run's committed state, takes in the attempts that ended, decides what follows ({@link
 * PassPlanner}: skips, approval waits, {@code transform} steps it computes itself, starts of the other ready steps,
 * the run's end) and commits all of it with its events in one transaction, under the run's row lock and only while it
 * still holds the claim ({@link PassWriter}), before announcing it and launching the started steps ({@link
 * StepLauncher}: each attempt on its own virtual thread, at most {@code max-parallel-steps-per-run} per run and {@code
 * max-parallel-steps} per instance). A claim is a lease on the run row, renewed while the coordinator lives; runs
 * whose lease expired or was released (an instance stopped) are claimed again by the recovery sweep ({@link
 * RunRecovery}), and their steps that were running are run again under the same attempt number.
 */
@Component
class RunEngine {

    private static final Logger log = LoggerFactory.getLogger(RunEngine.class);

    private final RunRepository runs;
    private final RunStepRepository runSteps;
    private final RunCredentials credentials;
    private final RunNotifier notifier;
    private final String instance;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final StepLauncher launcher;
    private final PassPlanner planner;
    private final PassWriter writer;
    private final RunRecovery recovery;
    private final Map<UUID, RunCoordinator> active = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    RunEngine(
            RunRepository runs,
            RunStepRepository runSteps,
            RunEventRepository events,
            StepRunner runner,
            TransactionTemplate tx,
            RunNotifier notifier,
            WorkflowMetrics metrics,
            RunCredentials credentials,
            RunEvents runEvents,
            JsonMapper json,
            OrchestrationProperties properties,
            UsageRecorder usage) {
        OrchestrationProperties.Workflows settings = properties.workflows();
        this.runs = runs;
        this.runSteps = runSteps;
        this.credentials = credentials;
        this.instance = hostName() + "/" + UUID.randomUUID();
        this.launcher = new StepLauncher(threads, runner, credentials, metrics, settings);
        this.planner = new PassPlanner(settings, metrics, launcher, runEvents, json);
        this.writer = new PassWriter(runs, runSteps, events, tx, notifier, metrics, instance, usage);
        this.recovery = new RunRecovery(this, runs, runSteps, credentials, settings, instance);
        this.notifier = notifier;
        metrics.gauges(
                () -> active.values().stream().mapToInt(RunCoordinator::blocked).sum(),
                () -> active.values().stream().mapToInt(RunCoordinator::waiting).sum());
    }

    /** The name of this instance in the claims it holds. */
    String instance() {
        return instance;
    }

    Duration lease() {
        return recovery.lease();
    }

    @EventListener(ApplicationReadyEvent.class)
    void startRecovery() {
        recovery.startSweeping();
    }

    /** Claims the unfinished runs that no live instance holds and resumes them; returns how many. */
    int recover() {
        return recovery.recover();
    }

    /** Starts the coordinator of a run this instance has claimed. */
    void start(UUID runId) {
        start(runId, null);
    }

    /** Starts the coordinator of a run this instance has just queued: its definition need not be read again. */
    void start(Run queued) {
        start(queued.id(), queued);
    }

    private void start(UUID runId, Run queued) {
        if (stopping) {
            return;
        }
        active.computeIfAbsent(runId, id -> {
            RunCoordinator coordinator =
                    new RunCoordinator(id, queued, this, recovery, runs, runSteps, planner, writer, launcher);
            coordinator.start();
            return coordinator;
        });
    }

    /** Whether a coordinator of this instance executes the run. */
    boolean executing(UUID runId) {
        return active.containsKey(runId);
    }

    /** Something changed in the run's committed state (approval, cancel): wake its coordinator. */
    void signal(UUID runId) {
        notifier.changed();
        RunCoordinator coordinator = active.get(runId);
        if (coordinator != null) {
            coordinator.wake();
        }
    }

    /** Whether the instance stops: coordinators commit nothing more. */
    boolean stopping() {
        return stopping;
    }

    /** The run ended (its coordinator saw it or ended it): its credential is forgotten and revoked soon. */
    void ended(UUID runId) {
        recovery.ended(runId);
        credentials.forget(runId);
        revokeSoon();
    }

    /** The run's coordinator stopped, for whatever reason. */
    void exited(UUID runId) {
        active.remove(runId);
    }

    /** Revokes the credentials of ended runs, in the background. */
    private void revokeSoon() {
        if (stopping) {
            return;
        }
        try {
            threads.execute(() -> {
                try {
                    credentials.revokeFinished();
                } catch (RuntimeException e) {
                    log.warn("revoking workflow run credentials failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    /** Stops all coordinators without committing anything more and releases this instance's claims. */
    @PreDestroy
    void stop() {
        stopping = true;
        recovery.stop();
        for (RunCoordinator coordinator : active.values()) {
            coordinator.interrupt();
        }
        for (RunCoordinator coordinator : active.values()) {
            try {
                coordinator.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.shutdownNow();
        recovery.releaseClaims();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "orchestration";
        }
    }
}
