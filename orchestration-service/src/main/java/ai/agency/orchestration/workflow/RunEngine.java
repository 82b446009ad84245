package ai.agency.orchestration.workflow;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.OrchestrationProperties;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Executes runs as DAGs. Each run this instance has claimed gets one coordinator (a virtual thread) that reads the
 * run's committed state, starts the steps whose dependencies succeeded or were skipped (each attempt on its own
 * virtual thread, at most {@code max-parallel-steps-per-run} per run and {@code max-parallel-steps} per instance),
 * and commits every change together with its event before announcing it. A claim is a lease on the run row,
 * renewed while the coordinator lives; runs whose lease expired or was released (an instance stopped) are claimed
 * again by the recovery sweep ({@code FOR UPDATE SKIP LOCKED}), and their steps that were running are run again.
 */
@Component
class RunEngine {

    private static final Logger log = LoggerFactory.getLogger(RunEngine.class);
    private static final Duration POLL = Duration.ofMillis(500);

    private final WorkflowRepository repository;
    private final StepRunner runner;
    private final TransactionTemplate tx;
    private final RunNotifier notifier;
    private final WorkflowMetrics metrics;
    private final RunCredentials credentials;
    private final JsonMapper json;
    private final OrchestrationProperties.Workflows settings;
    private final String instance;
    private final Semaphore slots;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<UUID, Coordinator> active = new ConcurrentHashMap<>();
    /** Coordinator failures in a row, per run, for the restart backoff. */
    private final Map<UUID, Integer> restarts = new ConcurrentHashMap<>();

    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "workflow-recovery");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean stopping;

    RunEngine(
            WorkflowRepository repository,
            StepRunner runner,
            TransactionTemplate tx,
            RunNotifier notifier,
            WorkflowMetrics metrics,
            RunCredentials credentials,
            JsonMapper json,
            OrchestrationProperties properties) {
        this.repository = repository;
        this.runner = runner;
        this.tx = tx;
        this.notifier = notifier;
        this.metrics = metrics;
        this.credentials = credentials;
        this.json = json;
        this.settings = properties.workflows();
        this.slots = new Semaphore(settings.maxParallelSteps());
        this.instance = hostName() + "/" + UUID.randomUUID();
        metrics.gauges(
                () -> active.values().stream().mapToInt(c -> c.blocked).sum(),
                () -> active.values().stream().mapToInt(c -> c.waiting).sum());
    }

    String instance() {
        return instance;
    }

    Duration lease() {
        return settings.lease();
    }

    @EventListener(ApplicationReadyEvent.class)
    void startRecovery() {
        sweeper.scheduleWithFixedDelay(
                this::recoverQuietly, 0, settings.recoveryInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void recoverQuietly() {
        try {
            recover();
            credentials.revokeFinished();
        } catch (RuntimeException e) {
            log.warn("workflow recovery sweep failed: {}", e.toString());
        }
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

    /** Claims the unfinished runs that no live instance holds and resumes them; returns how many. */
    int recover() {
        if (stopping) {
            return 0;
        }
        List<UUID> claimed = repository.claimAbandoned(instance, settings.lease(), 100);
        for (UUID runId : claimed) {
            log.info("resuming workflow run {}", runId);
            start(runId);
        }
        return claimed.size();
    }

    /** Starts the coordinator of a run this instance has claimed. */
    void start(UUID runId) {
        if (stopping) {
            return;
        }
        active.computeIfAbsent(runId, id -> {
            Coordinator coordinator = new Coordinator(id);
            coordinator.thread = Thread.ofVirtual().name("run-" + id).start(coordinator);
            return coordinator;
        });
    }

    /** Something changed in the run's committed state (approval, cancel): wake its coordinator. */
    void signal(UUID runId) {
        notifier.changed();
        Coordinator coordinator = active.get(runId);
        if (coordinator != null) {
            coordinator.inbox.offer(Wake.INSTANCE);
        }
    }

    /** Stops all coordinators without committing anything more and releases this instance's claims. */
    @PreDestroy
    void stop() {
        stopping = true;
        sweeper.shutdownNow();
        for (Coordinator coordinator : active.values()) {
            coordinator.thread.interrupt();
        }
        for (Coordinator coordinator : active.values()) {
            try {
                coordinator.thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        threads.shutdownNow();
        try {
            repository.releaseClaims(instance);
        } catch (RuntimeException e) {
            log.warn("could not release the claims of {} on workflow runs: {}", instance, e.toString());
        }
    }

    private enum Wake {
        INSTANCE
    }

    /** The end of one attempt. */
    private record Outcome(String stepId, int attempt, JsonNode output, StepFailure failure, Duration took) {}

    /** What is executing for one step: its thread and attempt. */
    private record Attempt(int number, Future<?> future) {}

    private final class Coordinator implements Runnable {

        private final UUID runId;
        private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        private final Map<String, Attempt> running = new HashMap<>();
        private volatile Thread thread;
        private volatile int blocked;
        private volatile int waiting;
        private Instant renewedAt = Instant.now();
        private Run definition;

        Coordinator(UUID runId) {
            this.runId = runId;
        }

        @Override
        public void run() {
            try {
                repository.requeueRunningSteps(runId);
                while (!stopping) {
                    if (!renew()) {
                        log.warn("lost the claim on workflow run {}; another instance executes it", runId);
                        return;
                    }
                    // the definition, input and identity never change: read once; status and steps every time
                    WorkflowRepository.RunState state = repository.runState(runId);
                    if (definition == null && state != null) {
                        definition = repository.findRun(runId).orElse(null);
                    }
                    Run run = state == null || definition == null ? null : definition.withStatus(state.status());
                    if (run == null || run.finished()) {
                        restarts.remove(runId);
                        credentials.forget(runId);
                        revokeSoon();
                        return;
                    }
                    if (Run.QUEUED.equals(run.status())) {
                        commit(() -> {
                            repository.runStatus(runId, Run.RUNNING);
                            event("run.started", runEvent(Run.RUNNING, 0, null, null));
                        });
                        continue;
                    }
                    Instant nextWake = schedule(run, state.steps());
                    if (nextWake == null) {
                        continue; // something changed: look again
                    }
                    Object message = inbox.poll(
                            Math.max(
                                    1,
                                    Math.min(
                                            POLL.toMillis(),
                                            Duration.between(Instant.now(), nextWake)
                                                    .toMillis())),
                            TimeUnit.MILLISECONDS);
                    while (message != null) {
                        if (message instanceof Outcome outcome) {
                            finish(run, outcome);
                        }
                        message = inbox.poll();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!stopping) {
                    restartLater(e);
                }
            } finally {
                running.values().forEach(a -> {
                    a.future().cancel(true);
                    slots.release();
                });
                running.clear();
                active.remove(runId);
            }
        }

        /**
         * The coordinator failed (typically the database was briefly unreachable or its pool exhausted): start a new
         * one for the run after a pause that doubles with each failure in a row (1 s … {@code recovery-interval}). The
         * claim is kept; steps that were running are run again, as after a restart.
         */
        private void restartLater(RuntimeException e) {
            int failures = restarts.merge(runId, 1, Integer::sum);
            long delay = Math.min(settings.recoveryInterval().toMillis(), 1000L << Math.min(10, failures - 1));
            log.warn(
                    "workflow run {} coordinator failed ({}); restarting it in {} ms",
                    runId,
                    ErrorClassifier.classify(e).code(),
                    delay,
                    e);
            try {
                sweeper.schedule(() -> RunEngine.this.start(runId), delay, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException rejected) {
                // stopping: the claim is released with all others
            }
        }

        private boolean renew() {
            if (Duration.between(renewedAt, Instant.now())
                            .compareTo(settings.lease().dividedBy(3))
                    < 0) {
                return true;
            }
            renewedAt = Instant.now();
            return repository.renewClaim(runId, instance, settings.lease());
        }

        /**
         * Starts, skips or parks the steps that are ready; null when state changed (look again), else when to look
         * again at the latest (the next retry).
         */
        private Instant schedule(Run run, List<RunStep> steps) {
            Map<String, RunStep> byId = new LinkedHashMap<>();
            steps.forEach(s -> byId.put(s.stepId(), s));
            // steps cancelled elsewhere (or finished) must not keep running here
            for (String id : Set.copyOf(running.keySet())) {
                RunStep state = byId.get(id);
                if (state == null || !RunStep.RUNNING.equals(state.status())) {
                    running.remove(id).future().cancel(true);
                    slots.release();
                }
            }
            Map<String, Set<String>> dependants = new HashMap<>();
            ObjectNode scope = scope(run, steps);
            Instant wake = Instant.now().plus(POLL);
            int blockedNow = 0;
            int waitingNow = 0;
            boolean allFinished = true;
            for (StepDefinition step : run.steps()) {
                step.dependencies()
                        .forEach(d -> dependants
                                .computeIfAbsent(d, k -> new HashSet<>())
                                .add(step.id()));
                RunStep state = byId.get(step.id());
                if (!state.finished()) {
                    allFinished = false;
                }
                if (RunStep.WAITING_APPROVAL.equals(state.status())) {
                    waitingNow++;
                }
                if (!RunStep.PENDING.equals(state.status())) {
                    continue;
                }
                if (state.nextAttemptAt() != null && Instant.now().isBefore(state.nextAttemptAt())) {
                    if (state.nextAttemptAt().isBefore(wake)) {
                        wake = state.nextAttemptAt();
                    }
                    continue;
                }
                List<RunStep> deps = step.dependencies().stream().map(byId::get).toList();
                if (!deps.stream()
                        .allMatch(d -> RunStep.SUCCEEDED.equals(d.status()) || RunStep.SKIPPED.equals(d.status()))) {
                    continue;
                }
                if (!deps.isEmpty() && deps.stream().allMatch(d -> RunStep.SKIPPED.equals(d.status()))) {
                    skip(step, "all its dependencies were skipped");
                    return null;
                }
                if (step.condition() != null) {
                    boolean go;
                    try {
                        go = Conditions.evaluate(step.condition(), plain(scope));
                    } catch (IllegalArgumentException e) {
                        fail(step, 0, new StepFailure(ErrorType.VALIDATION, e.getMessage()));
                        return null;
                    }
                    if (!go) {
                        skip(step, "its condition is false");
                        return null;
                    }
                }
                if (step.needsApproval() && state.approved() == null) {
                    commit(() -> {
                        if (repository.stepStatus(runId, step.id(), RunStep.PENDING, RunStep.WAITING_APPROVAL)) {
                            event("step.waiting_approval", stepEvent(step.id(), RunStep.WAITING_APPROVAL, 0));
                        }
                    });
                    return null;
                }
                if (running.size() >= settings.maxParallelStepsPerRun() || !slots.tryAcquire()) {
                    blockedNow++;
                    wake = Instant.now().plusMillis(20);
                    continue;
                }
                int[] attempt = {0};
                commit(() -> {
                    attempt[0] = repository.startStep(runId, step.id());
                    if (attempt[0] > 0) {
                        ObjectNode data = stepEvent(step.id(), RunStep.RUNNING, attempt[0]);
                        event("step.started", data);
                    }
                });
                if (attempt[0] == 0) {
                    slots.release();
                    return null;
                }
                launch(run, step, attempt[0], Templates.fill(step.input(), scope));
                // other ready steps start in the same pass; this one's dependants are not ready (it is running)
            }
            blocked = blockedNow;
            waiting = waitingNow;
            if (allFinished) {
                succeed(run, steps, dependants);
                return null;
            }
            String status = running.isEmpty() && waitingNow > 0 && blockedNow == 0 && !retryPending(steps)
                    ? Run.WAITING_APPROVAL
                    : Run.RUNNING;
            if (!status.equals(run.status())) {
                commit(() -> repository.runStatus(runId, status));
            }
            return wake;
        }

        private boolean retryPending(List<RunStep> steps) {
            return steps.stream().anyMatch(s -> RunStep.PENDING.equals(s.status()) && s.nextAttemptAt() != null);
        }

        private void launch(Run run, StepDefinition step, int attempt, JsonNode input) {
            Duration timeout =
                    step.timeoutMs() == null ? settings.defaultStepTimeout() : Duration.ofMillis(step.timeoutMs());
            Instant started = Instant.now();
            Future<?> future = threads.submit(() -> {
                Future<JsonNode> work =
                        threads.submit(() -> runner.execute(runId, () -> credentials.actingAs(run), step, input));
                Outcome outcome;
                try {
                    outcome = new Outcome(
                            step.id(),
                            attempt,
                            work.get(timeout.toMillis(), TimeUnit.MILLISECONDS),
                            null,
                            Duration.between(started, Instant.now()));
                } catch (TimeoutException e) {
                    work.cancel(true);
                    outcome = new Outcome(
                            step.id(),
                            attempt,
                            null,
                            new StepFailure(ErrorType.NETWORK, "timed out after " + timeout.toMillis() + " ms", true),
                            Duration.between(started, Instant.now()));
                } catch (ExecutionException e) {
                    StepFailure failure = e.getCause() instanceof StepFailure f
                            ? f
                            : new StepFailure(ErrorType.INTERNAL, "the step failed unexpectedly");
                    outcome = new Outcome(step.id(), attempt, null, failure, Duration.between(started, Instant.now()));
                } catch (InterruptedException e) {
                    work.cancel(true);
                    return;
                }
                inbox.offer(outcome);
            });
            running.put(step.id(), new Attempt(attempt, future));
        }

        private void finish(Run run, Outcome outcome) {
            Attempt attempt = running.get(outcome.stepId());
            if (attempt == null || attempt.number() != outcome.attempt()) {
                return;
            }
            running.remove(outcome.stepId());
            slots.release();
            if (stopping) {
                return;
            }
            StepDefinition step = run.steps().stream()
                    .filter(s -> s.id().equals(outcome.stepId()))
                    .findFirst()
                    .orElseThrow();
            metrics.step(step.type(), outcome.failure() == null ? "succeeded" : "failed", outcome.took());
            if (outcome.failure() == null) {
                commit(() -> {
                    if (!repository.lockRunFinished(runId)
                            && repository.completeStep(
                                    runId, step.id(), outcome.attempt(), RunStep.SUCCEEDED, outcome.output(), null)) {
                        ObjectNode data = stepEvent(step.id(), RunStep.SUCCEEDED, outcome.attempt());
                        data.set("output", outcome.output());
                        event("step.succeeded", data);
                    }
                });
                return;
            }
            StepFailure failure = outcome.failure();
            if (failure.type().recoverable() && outcome.attempt() < step.maxAttempts()) {
                long base = step.backoffMs() << Math.min(20, outcome.attempt() - 1);
                long capped = Math.min(base, settings.maxBackoff().toMillis());
                long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
                Instant at = Instant.now().plusMillis(delay);
                commit(() -> {
                    if (!repository.lockRunFinished(runId)
                            && repository.retryStep(runId, step.id(), outcome.attempt(), error(step, failure), at)) {
                        ObjectNode data = stepEvent(step.id(), RunStep.FAILED, outcome.attempt());
                        data.set("error", error(step, failure));
                        data.put("willRetry", true);
                        data.put("retryInMs", delay);
                        event("step.failed", data);
                    }
                });
                return;
            }
            fail(step, outcome.attempt(), failure);
        }

        /** The step failed for good: so does the run; the other steps are cancelled. */
        private void fail(StepDefinition step, int attempt, StepFailure failure) {
            ObjectNode error = error(step, failure);
            commit(() -> {
                if (repository.lockRunFinished(runId)) {
                    return;
                }
                if (attempt > 0) {
                    repository.completeStep(runId, step.id(), attempt, RunStep.FAILED, null, error);
                } else {
                    repository.stepStatus(runId, step.id(), RunStep.PENDING, RunStep.FAILED);
                }
                ObjectNode data = stepEvent(step.id(), RunStep.FAILED, attempt);
                data.set("error", error);
                data.put("willRetry", false);
                event("step.failed", data);
                repository.cancelOpenSteps(runId);
                repository.finishRun(runId, Run.FAILED, null, error);
                event("run.failed", runEvent(Run.FAILED, progress(), null, error));
            });
            metrics.runFinished(Run.FAILED);
        }

        private void skip(StepDefinition step, String reason) {
            commit(() -> {
                repository.skipStep(runId, step.id(), reason);
                ObjectNode data = stepEvent(step.id(), RunStep.SKIPPED, 0);
                data.put("reason", reason);
                event("step.skipped", data);
            });
        }

        private void succeed(Run run, List<RunStep> steps, Map<String, Set<String>> dependants) {
            ObjectNode output = json.createObjectNode();
            for (RunStep state : steps) {
                if (!dependants.containsKey(state.stepId()) && RunStep.SUCCEEDED.equals(state.status())) {
                    output.set(state.stepId(), state.output());
                }
            }
            commit(() -> {
                if (!repository.lockRunFinished(runId)) {
                    repository.finishRun(runId, Run.SUCCEEDED, output, null);
                    event("run.succeeded", runEvent(Run.SUCCEEDED, 1, output, null));
                }
            });
            metrics.runFinished(Run.SUCCEEDED);
        }

        private double progress() {
            List<RunStep> steps = repository.steps(runId);
            return steps.isEmpty()
                    ? 1
                    : steps.stream().filter(RunStep::finished).count() / (double) steps.size();
        }

        private ObjectNode stepEvent(String stepId, String status, int attempt) {
            ObjectNode data = json.createObjectNode()
                    .put("runId", runId.toString())
                    .put("stepId", stepId)
                    .put("status", status);
            if (attempt > 0) {
                data.put("attempt", attempt);
            }
            return data;
        }

        private ObjectNode runEvent(String status, double progress, JsonNode output, JsonNode error) {
            return RunEngine.this.runEvent(runId, status, progress, output, error);
        }

        private void event(String type, JsonNode data) {
            repository.appendEvent(runId, type, data);
        }

        private void commit(Runnable work) {
            if (stopping) {
                throw new IllegalStateException("stopping");
            }
            tx.executeWithoutResult(status -> work.run());
            notifier.changed();
        }
    }

    ObjectNode runEvent(UUID runId, String status, double progress, JsonNode output, JsonNode error) {
        ObjectNode data = json.createObjectNode()
                .put("runId", runId.toString())
                .put("status", status)
                .put("progress", progress);
        if (output != null) {
            data.set("output", output);
        }
        if (error != null) {
            data.set("error", error);
        }
        return data;
    }

    private ObjectNode error(StepDefinition step, StepFailure failure) {
        ObjectNode error = json.createObjectNode()
                .put("stepId", step.id())
                .put("errorType", failure.type().code())
                .put("message", failure.getMessage());
        if (failure.timedOut()) {
            error.put("timedOut", true);
        }
        return error;
    }

    /** {@code {input, steps: {<id>: {output, status}}}}: what templates and conditions read. */
    private ObjectNode scope(Run run, List<RunStep> steps) {
        ObjectNode scope = json.createObjectNode();
        scope.set("input", run.input());
        ObjectNode byStep = scope.putObject("steps");
        for (RunStep state : steps) {
            ObjectNode entry = byStep.putObject(state.stepId());
            entry.put("status", state.status());
            entry.set("output", state.output() == null ? json.nullNode() : state.output());
        }
        return scope;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> plain(JsonNode scope) {
        return json.convertValue(scope, Map.class);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "orchestration";
        }
    }
}
