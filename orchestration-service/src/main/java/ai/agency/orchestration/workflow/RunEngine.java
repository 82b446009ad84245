package ai.agency.orchestration.workflow;

import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.OrchestrationProperties;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * Executes runs as DAGs. Each run this instance has claimed gets one coordinator (a virtual thread) that works in
 * passes: it reads the run's committed state, takes in the attempts that ended, decides what follows — skips,
 * approval waits, {@code transform} steps it computes itself (up to {@code inline-steps-per-transaction} per pass,
 * repeating while they make more steps ready), starts of the other ready steps (each attempt on its own virtual
 * thread, at most {@code max-parallel-steps-per-run} per run and {@code max-parallel-steps} per instance), the run's
 * end — and commits all of it with its events in one transaction, under the run's row lock and only while it still
 * holds the claim, before announcing it and launching the started steps. A claim is a lease on the run row,
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
            Coordinator coordinator = new Coordinator(id, queued);
            coordinator.thread = Thread.ofVirtual().name("run-" + id).start(coordinator);
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

    /** The run changed under its coordinator: the claim was lost, or a step was not in the state it was read in. */
    private static final class Conflict extends RuntimeException {

        private final boolean lostClaim;

        Conflict(boolean lostClaim, String message) {
            super(message, null, false, false);
            this.lostClaim = lostClaim;
        }
    }

    private final class Coordinator implements Runnable {

        private final UUID runId;
        private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        /** Outcomes taken from the inbox while waiting, handled in the next pass. */
        private final List<Outcome> received = new ArrayList<>();

        private final Map<String, Attempt> running = new HashMap<>();
        private volatile Thread thread;
        private volatile int blocked;
        private volatile int waiting;
        private Instant renewedAt = Instant.now();
        private Run definition;

        /** {@code queued}: the run as just inserted by this instance (none of its steps ran), else null. */
        Coordinator(UUID runId, Run queued) {
            this.runId = runId;
            this.definition = queued;
        }

        /**
         * One pass: read the run's committed state, apply the outcomes of finished attempts, decide what is next
         * ({@link Batch#plan()}), commit all of it in one transaction, announce it, launch the steps started; when
         * nothing is to be done, wait for an outcome, a signal or the next retry.
         */
        @Override
        public void run() {
            try {
                if (definition == null) {
                    repository.requeueRunningSteps(runId); // resumed: what was running here is run again
                }
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
                        ended();
                        return;
                    }
                    Batch batch = new Batch(run, state.steps());
                    for (Object message = inbox.poll(); message != null; message = inbox.poll()) {
                        if (message instanceof Outcome outcome) {
                            received.add(outcome);
                        }
                    }
                    received.forEach(batch::outcome);
                    received.clear();
                    Instant nextWake = batch.plan();
                    if (!batch.isEmpty()) {
                        if (batch.commit() && batch.endsRun()) {
                            ended();
                            return;
                        }
                        continue;
                    }
                    if (nextWake == null) {
                        continue;
                    }
                    Object message = inbox.poll(
                            Math.max(
                                    1,
                                    Math.min(
                                            POLL.toMillis(),
                                            Duration.between(Instant.now(), nextWake)
                                                    .toMillis())),
                            TimeUnit.MILLISECONDS);
                    if (message instanceof Outcome outcome) {
                        received.add(outcome);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Conflict e) {
                if (e.lostClaim) {
                    log.warn("lost the claim on workflow run {}; another instance executes it", runId);
                } else if (!stopping) {
                    restartLater(e);
                }
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

        private void ended() {
            restarts.remove(runId);
            credentials.forget(runId);
            revokeSoon();
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

        private void launch(Run run, StepDefinition step, int attempt, JsonNode input) {
            Duration timeout =
                    step.timeoutMs() == null ? settings.defaultStepTimeout() : Duration.ofMillis(step.timeoutMs());
            Instant started = Instant.now();
            Future<?> future = threads.submit(() -> {
                Future<JsonNode> work = threads.submit(
                        () -> runner.execute(runId, attempt, () -> credentials.actingAs(run), step, input));
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

        /**
         * The changes one pass decides, on top of the state it read: outcomes of attempts, {@code transform} steps
         * the coordinator computes itself, skips, approval waits, starts of steps that execute on their own thread,
         * and the run's status or end. {@link #commit()} writes all of them and their events (in the order they were
         * decided) in one transaction, then announces them and launches the started steps.
         */
        private final class Batch {

            private final Run run;
            /** Every step's state as it will be once the batch is committed, in position order. */
            private final Map<String, RunStep> states = new LinkedHashMap<>();
            /** {@code {input, steps: {<id>: {output, status}}}}, kept up to date with {@link #states}. */
            private final ObjectNode scope;

            private final List<String> eventTypes = new ArrayList<>();
            private final List<JsonNode> eventData = new ArrayList<>();
            private final boolean runStarted;
            private final List<Done> completed = new ArrayList<>();
            private final List<RetryLater> retries = new ArrayList<>();
            private final List<Done> computed = new ArrayList<>();
            private final List<String> skipped = new ArrayList<>();
            private final List<String> skipReasons = new ArrayList<>();
            private final List<String> awaiting = new ArrayList<>();
            private final List<Start> starts = new ArrayList<>();
            private Failure failure;
            private ObjectNode output;
            private String status;

            Batch(Run run, List<RunStep> steps) {
                this.run = run;
                steps.forEach(s -> states.put(s.stepId(), s));
                this.scope = scope(run, steps);
                this.runStarted = Run.QUEUED.equals(run.status());
                if (runStarted) {
                    event("run.started", runEvent(Run.RUNNING, 0, null, null));
                }
            }

            boolean isEmpty() {
                return !runStarted
                        && eventTypes.isEmpty()
                        && completed.isEmpty()
                        && retries.isEmpty()
                        && computed.isEmpty()
                        && skipped.isEmpty()
                        && awaiting.isEmpty()
                        && starts.isEmpty()
                        && failure == null
                        && output == null
                        && status == null;
            }

            /** An attempt ended: its step succeeded, waits for a retry, or failed the run. */
            void outcome(Outcome outcome) {
                Attempt attempt = running.get(outcome.stepId());
                if (attempt == null || attempt.number() != outcome.attempt()) {
                    return;
                }
                running.remove(outcome.stepId());
                slots.release();
                StepDefinition step = definition(outcome.stepId());
                metrics.step(step.type(), outcome.failure() == null ? "succeeded" : "failed", outcome.took());
                RunStep state = states.get(step.id());
                if (failure != null
                        || state == null
                        || !RunStep.RUNNING.equals(state.status())
                        || state.attempts() != outcome.attempt()) {
                    return; // cancelled meanwhile, or the run fails anyway
                }
                if (outcome.failure() == null) {
                    completed.add(new Done(step.id(), outcome.attempt(), outcome.output()));
                    set(step.id(), RunStep.SUCCEEDED, outcome.attempt(), null, outcome.output());
                    ObjectNode data = stepEvent(step.id(), RunStep.SUCCEEDED, outcome.attempt());
                    data.set("output", outcome.output());
                    event("step.succeeded", data);
                    return;
                }
                StepFailure failed = outcome.failure();
                if (failed.type().recoverable() && outcome.attempt() < step.maxAttempts()) {
                    long base = step.backoffMs() << Math.min(20, outcome.attempt() - 1);
                    long capped = Math.min(base, settings.maxBackoff().toMillis());
                    long delay = capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1);
                    Instant at = Instant.now().plusMillis(delay);
                    ObjectNode error = error(step, failed);
                    retries.add(new RetryLater(step.id(), outcome.attempt(), error, at));
                    set(step.id(), RunStep.PENDING, outcome.attempt(), at, null);
                    ObjectNode data = stepEvent(step.id(), RunStep.FAILED, outcome.attempt());
                    data.set("error", error);
                    data.put("willRetry", true);
                    data.put("retryInMs", delay);
                    event("step.failed", data);
                    return;
                }
                fail(step, outcome.attempt(), failed);
            }

            /**
             * Decides what is next, repeating while a decision makes more steps ready: skips steps whose condition is
             * false or whose dependencies were all skipped, parks steps that need approval, computes ready {@code
             * transform} steps at once (at most {@code inline-steps-per-transaction} per batch), starts the other
             * ready steps while there are execution slots, and ends the run when every step has finished. Returns
             * when to look again at the latest (the next retry), or null when the run ends in this batch.
             */
            Instant plan() {
                // steps cancelled elsewhere (or finished) must not keep running here
                for (String id : Set.copyOf(running.keySet())) {
                    RunStep state = states.get(id);
                    if (state == null || !RunStep.RUNNING.equals(state.status())) {
                        running.remove(id).future().cancel(true);
                        slots.release();
                    }
                }
                if (failure != null) {
                    return null;
                }
                Instant wake = Instant.now().plus(POLL);
                int budget = settings.inlineStepsPerTransaction();
                int blockedNow = 0;
                boolean changed = true;
                passes:
                while (changed) {
                    changed = false;
                    blockedNow = 0;
                    for (StepDefinition step : run.steps()) {
                        RunStep state = states.get(step.id());
                        if (!RunStep.PENDING.equals(state.status())) {
                            continue;
                        }
                        if (state.nextAttemptAt() != null && Instant.now().isBefore(state.nextAttemptAt())) {
                            if (state.nextAttemptAt().isBefore(wake)) {
                                wake = state.nextAttemptAt();
                            }
                            continue;
                        }
                        List<RunStep> deps =
                                step.dependencies().stream().map(states::get).toList();
                        if (!deps.stream()
                                .allMatch(d ->
                                        RunStep.SUCCEEDED.equals(d.status()) || RunStep.SKIPPED.equals(d.status()))) {
                            continue;
                        }
                        if (!deps.isEmpty() && deps.stream().allMatch(d -> RunStep.SKIPPED.equals(d.status()))) {
                            skip(step, "all its dependencies were skipped");
                            changed = true;
                            continue;
                        }
                        if (step.condition() != null) {
                            boolean go;
                            try {
                                go = Conditions.evaluate(step.condition(), plain(scope));
                            } catch (IllegalArgumentException e) {
                                if (!starts.isEmpty()) {
                                    break passes; // commit the starts first; the run fails in the next pass
                                }
                                fail(step, 0, new StepFailure(ErrorType.VALIDATION, e.getMessage()));
                                return null;
                            }
                            if (!go) {
                                skip(step, "its condition is false");
                                changed = true;
                                continue;
                            }
                        }
                        if (step.needsApproval() && state.approved() == null) {
                            awaitApproval(step);
                            continue;
                        }
                        if (computedHere(step)) {
                            if (budget > 0) {
                                budget--;
                                compute(step, state);
                                changed = true;
                            }
                            continue; // over the budget: in the next transaction
                        }
                        if (running.size() + starts.size() >= settings.maxParallelStepsPerRun()
                                || !slots.tryAcquire()) {
                            blockedNow++;
                            Instant soon = Instant.now().plusMillis(20);
                            if (soon.isBefore(wake)) {
                                wake = soon;
                            }
                            continue;
                        }
                        start(step, state);
                    }
                }
                int waitingNow = (int) states.values().stream()
                        .filter(s -> RunStep.WAITING_APPROVAL.equals(s.status()))
                        .count();
                blocked = blockedNow;
                waiting = waitingNow;
                if (states.values().stream().allMatch(RunStep::finished)) {
                    succeed();
                    return null;
                }
                String current = runStarted ? Run.RUNNING : run.status();
                boolean retryPending = states.values().stream()
                        .anyMatch(s -> RunStep.PENDING.equals(s.status()) && s.nextAttemptAt() != null);
                String next =
                        running.isEmpty() && starts.isEmpty() && waitingNow > 0 && blockedNow == 0 && !retryPending
                                ? Run.WAITING_APPROVAL
                                : Run.RUNNING;
                if (!next.equals(current)) {
                    status = next;
                }
                return wake;
            }

            /** Steps without an effect outside the run: computed by the coordinator, not on a thread of their own. */
            private boolean computedHere(StepDefinition step) {
                return "transform".equals(step.type()) && settings.inlineStepsPerTransaction() > 0;
            }

            private void compute(StepDefinition step, RunStep state) {
                long began = System.nanoTime();
                JsonNode input = Templates.fill(step.input(), scope);
                int attempt = state.attempts() + 1;
                JsonNode result = runner.execute(runId, attempt, () -> credentials.actingAs(run), step, input);
                metrics.step(step.type(), "succeeded", Duration.ofNanos(System.nanoTime() - began));
                computed.add(new Done(step.id(), attempt, result));
                set(step.id(), RunStep.SUCCEEDED, attempt, null, result);
                event("step.started", stepEvent(step.id(), RunStep.RUNNING, attempt));
                ObjectNode data = stepEvent(step.id(), RunStep.SUCCEEDED, attempt);
                data.set("output", result);
                event("step.succeeded", data);
            }

            private void start(StepDefinition step, RunStep state) {
                int attempt = state.attempts() + 1;
                starts.add(new Start(step, attempt, Templates.fill(step.input(), scope)));
                set(step.id(), RunStep.RUNNING, attempt, null, null);
                event("step.started", stepEvent(step.id(), RunStep.RUNNING, attempt));
            }

            private void skip(StepDefinition step, String reason) {
                skipped.add(step.id());
                skipReasons.add(reason);
                set(step.id(), RunStep.SKIPPED, states.get(step.id()).attempts(), null, null);
                ObjectNode data = stepEvent(step.id(), RunStep.SKIPPED, 0);
                data.put("reason", reason);
                event("step.skipped", data);
            }

            private void awaitApproval(StepDefinition step) {
                awaiting.add(step.id());
                set(step.id(), RunStep.WAITING_APPROVAL, states.get(step.id()).attempts(), null, null);
                event("step.waiting_approval", stepEvent(step.id(), RunStep.WAITING_APPROVAL, 0));
            }

            /** The step failed for good: so does the run; the other steps are cancelled. */
            private void fail(StepDefinition step, int attempt, StepFailure failed) {
                ObjectNode error = error(step, failed);
                failure = new Failure(step.id(), attempt, error);
                ObjectNode data = stepEvent(step.id(), RunStep.FAILED, attempt);
                data.set("error", error);
                data.put("willRetry", false);
                event("step.failed", data);
                for (RunStep state : List.copyOf(states.values())) {
                    if (!state.finished()) {
                        set(
                                state.stepId(),
                                state.stepId().equals(step.id()) ? RunStep.FAILED : RunStep.CANCELLED,
                                state.attempts(),
                                null,
                                null);
                    }
                }
                event("run.failed", runEvent(Run.FAILED, progress(), null, error));
            }

            private void succeed() {
                Set<String> dependedOn = new HashSet<>();
                run.steps().forEach(s -> dependedOn.addAll(s.dependencies()));
                output = json.createObjectNode();
                for (RunStep state : states.values()) {
                    if (!dependedOn.contains(state.stepId()) && RunStep.SUCCEEDED.equals(state.status())) {
                        output.set(state.stepId(), state.output());
                    }
                }
                event("run.succeeded", runEvent(Run.SUCCEEDED, 1, output, null));
            }

            /** Whether the run fails or succeeds in this batch. */
            boolean endsRun() {
                return failure != null || output != null;
            }

            /**
             * Writes the batch and its events in one transaction, then announces it and launches the steps it
             * started; false (nothing written) when the run had ended meanwhile.
             */
            boolean commit() {
                if (stopping) {
                    throw new IllegalStateException("stopping");
                }
                boolean applied;
                try {
                    applied = Boolean.TRUE.equals(tx.execute(s -> apply()));
                } catch (RuntimeException e) {
                    starts.forEach(s -> slots.release());
                    throw e;
                }
                if (!applied) {
                    starts.forEach(s -> slots.release());
                    return false;
                }
                notifier.changed();
                starts.forEach(s -> launch(run, s.step(), s.attempt(), s.input()));
                if (failure != null) {
                    metrics.runFinished(Run.FAILED);
                } else if (output != null) {
                    metrics.runFinished(Run.SUCCEEDED);
                }
                return true;
            }

            private boolean apply() {
                WorkflowRepository.RunLock lock = repository.lockRunClaim(runId);
                if (lock == null || !Run.ACTIVE.contains(lock.status())) {
                    return false;
                }
                if (!instance.equals(lock.claimedBy())) {
                    throw new Conflict(true, "run " + runId + " is claimed by " + lock.claimedBy());
                }
                if (runStarted) {
                    repository.runStatus(runId, Run.RUNNING);
                }
                if (!completed.isEmpty()) {
                    expect(
                            completed.size(),
                            repository.completeRunning(
                                    runId,
                                    completed.stream().map(Done::stepId).toList(),
                                    completed.stream().map(Done::attempt).toList(),
                                    completed.stream().map(Done::output).toList()));
                }
                for (RetryLater retry : retries) {
                    expect(
                            1,
                            repository.retryStep(runId, retry.stepId(), retry.attempt(), retry.error(), retry.at())
                                    ? 1
                                    : 0);
                }
                if (!computed.isEmpty()) {
                    expect(
                            computed.size(),
                            repository.succeedPending(
                                    runId,
                                    computed.stream().map(Done::stepId).toList(),
                                    computed.stream().map(Done::attempt).toList(),
                                    computed.stream().map(Done::output).toList()));
                }
                if (!skipped.isEmpty()) {
                    expect(skipped.size(), repository.skipPending(runId, skipped, skipReasons));
                }
                for (String stepId : awaiting) {
                    expect(1, repository.stepStatus(runId, stepId, RunStep.PENDING, RunStep.WAITING_APPROVAL) ? 1 : 0);
                }
                if (!starts.isEmpty()) {
                    expect(
                            starts.size(),
                            repository.startPending(
                                    runId,
                                    starts.stream().map(s -> s.step().id()).toList(),
                                    starts.stream().map(Start::attempt).toList()));
                }
                if (failure != null) {
                    boolean marked = failure.attempt() > 0
                            ? repository.completeStep(
                                    runId, failure.stepId(), failure.attempt(), RunStep.FAILED, null, failure.error())
                            : repository.stepStatus(runId, failure.stepId(), RunStep.PENDING, RunStep.FAILED);
                    expect(1, marked ? 1 : 0);
                    repository.cancelOpenSteps(runId);
                    repository.finishRun(runId, Run.FAILED, null, failure.error());
                } else if (output != null) {
                    repository.finishRun(runId, Run.SUCCEEDED, output, null);
                } else if (status != null) {
                    repository.runStatus(runId, status);
                }
                repository.appendEvents(runId, eventTypes, eventData);
                return true;
            }

            private void expect(int expected, int changed) {
                if (changed != expected) {
                    throw new Conflict(
                            false,
                            "workflow run " + runId + ": " + (expected - changed)
                                    + " step(s) were not in the state the coordinator read");
                }
            }

            private StepDefinition definition(String stepId) {
                return run.steps().stream()
                        .filter(s -> s.id().equals(stepId))
                        .findFirst()
                        .orElseThrow();
            }

            private void set(String stepId, String status, int attempts, Instant nextAttemptAt, JsonNode result) {
                RunStep old = states.get(stepId);
                states.put(
                        stepId,
                        new RunStep(
                                stepId,
                                old.position(),
                                old.type(),
                                status,
                                attempts,
                                old.approved(),
                                old.approval(),
                                nextAttemptAt,
                                old.startedAt(),
                                old.completedAt(),
                                result,
                                old.error()));
                ObjectNode entry = ((ObjectNode) scope.get("steps")).putObject(stepId);
                entry.put("status", status);
                entry.set("output", result == null ? json.nullNode() : result);
            }

            private double progress() {
                return states.isEmpty()
                        ? 1
                        : states.values().stream().filter(RunStep::finished).count() / (double) states.size();
            }

            private void event(String type, JsonNode data) {
                eventTypes.add(type);
                eventData.add(data);
            }
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
    }

    /** A step's attempt that succeeded with {@code output}. */
    private record Done(String stepId, int attempt, JsonNode output) {}

    /** A failed attempt to be tried again at {@code at}. */
    private record RetryLater(String stepId, int attempt, JsonNode error, Instant at) {}

    /** A step started on a thread of its own with its filled input. */
    private record Start(StepDefinition step, int attempt, JsonNode input) {}

    /** The step whose failure fails the run (attempt 0: it never ran). */
    private record Failure(String stepId, int attempt, JsonNode error) {}

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
