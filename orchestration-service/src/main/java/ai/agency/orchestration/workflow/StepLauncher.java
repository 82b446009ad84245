package ai.agency.orchestration.workflow;

import ai.agency.common.error.ErrorType;
import ai.agency.orchestration.OrchestrationProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * Executes step attempts through {@link StepRunner}: {@code tool}, {@code agent} and {@code approval} steps each on a
 * virtual thread of its own, bounded by the step's timeout and by the instance's execution slots ({@code
 * max-parallel-steps}), reporting how the attempt ended as an {@link Outcome}; {@code transform} steps on the
 * coordinator's thread ({@link #compute}). The attempt number goes to {@link StepRunner}, which makes it part of a
 * tool call's {@code Idempotency-Key}: an attempt run again after a crash carries the same number, hence the same
 * key. One launcher serves every run; {@link RunningSteps} keeps track of one run's attempts.
 */
final class StepLauncher {

    /** The end of one attempt: its output, or why it failed. */
    record Outcome(String stepId, int attempt, JsonNode output, StepFailure failure, Duration took) {}

    private final ExecutorService threads;
    private final Semaphore slots;
    private final StepRunner runner;
    private final RunCredentials credentials;
    private final WorkflowMetrics metrics;
    private final Duration defaultTimeout;

    StepLauncher(
            ExecutorService threads,
            StepRunner runner,
            RunCredentials credentials,
            WorkflowMetrics metrics,
            OrchestrationProperties.Workflows settings) {
        this.threads = threads;
        this.slots = new Semaphore(settings.maxParallelSteps());
        this.runner = runner;
        this.credentials = credentials;
        this.metrics = metrics;
        this.defaultTimeout = settings.defaultStepTimeout();
    }

    /** Takes an execution slot for a step about to start, if one is free. */
    boolean tryReserve() {
        return slots.tryAcquire();
    }

    /** Gives back a slot: the attempt ended or was cancelled, or the step was not started after all. */
    void release() {
        slots.release();
    }

    /**
     * Runs the attempt on a thread of its own (its slot is already reserved) and hands its {@link Outcome} to {@code
     * report} — unless the attempt is cancelled: then nothing is reported. A timeout interrupts the attempt and counts
     * as a {@code network} failure with {@code timedOut}.
     */
    Future<?> launch(Run run, PassChanges.Start start, Consumer<Outcome> report) {
        StepDefinition step = start.step();
        int attempt = start.attempt();
        Duration timeout = step.timeoutMs() == null ? defaultTimeout : Duration.ofMillis(step.timeoutMs());
        Instant started = Instant.now();
        return threads.submit(() -> {
            Future<JsonNode> work = threads.submit(
                    () -> runner.execute(run.id(), attempt, () -> credentials.actingAs(run), step, start.input()));
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
            report.accept(outcome);
        });
    }

    /**
     * Computes a step without effect outside the run ({@code transform}) at once, on the caller's thread, with its
     * templates filled from {@code scope}; no slot, timeout or retry applies.
     */
    JsonNode compute(Run run, StepDefinition step, int attempt, JsonNode scope) {
        long began = System.nanoTime();
        JsonNode input = Templates.fill(step.input(), scope);
        JsonNode result = runner.execute(run.id(), attempt, () -> credentials.actingAs(run), step, input);
        metrics.step(step.type(), "succeeded", Duration.ofNanos(System.nanoTime() - began));
        return result;
    }
}
