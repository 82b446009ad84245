package ai.agency.orchestration.workflow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The changes one pass of a {@link RunCoordinator} decides on top of the run's state it read — ends of attempts,
 * {@code transform} steps computed in the pass, skips, approval waits, starts of steps that execute on a thread of
 * their own, the run's status or end — each with its events, in the order decided. It keeps every step's state as it
 * will be once the pass is committed, so that {@link PassPlanner} decides on that state; {@link PassWriter} writes
 * the changes and events in one transaction.
 */
final class PassChanges {

    /** A step's attempt that succeeded with {@code output}. */
    record Done(String stepId, int attempt, JsonNode output) {}

    /** A failed attempt to be tried again at {@code at}. */
    record RetryLater(String stepId, int attempt, JsonNode error, Instant at) {}

    /** A step started on a thread of its own with its filled input. */
    record Start(StepDefinition step, int attempt, JsonNode input) {}

    /** The step whose failure fails the run (attempt 0: it never ran). */
    record Failure(String stepId, int attempt, JsonNode error) {}

    private final Run run;
    private final RunEvents events;
    private final JsonMapper json;
    /** Every step's state as it will be once the pass is committed, in position order. */
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

    PassChanges(Run run, List<RunStep> steps, RunEvents events, JsonMapper json) {
        this.run = run;
        this.events = events;
        this.json = json;
        steps.forEach(s -> states.put(s.stepId(), s));
        this.scope = scope(run, steps);
        this.runStarted = Run.QUEUED.equals(run.status());
        if (runStarted) {
            event("run.started", events.run(run.id(), Run.RUNNING, 0, null, null));
        }
    }

    // ---- what the planner reads ----

    Run run() {
        return run;
    }

    /** The step's state as it will be after this pass; null for an unknown step. */
    RunStep state(String stepId) {
        return states.get(stepId);
    }

    /** Every step's state as it will be after this pass, in position order. */
    Collection<RunStep> states() {
        return Collections.unmodifiableCollection(states.values());
    }

    StepDefinition definition(String stepId) {
        return run.steps().stream()
                .filter(s -> s.id().equals(stepId))
                .findFirst()
                .orElseThrow();
    }

    /** What templates read: {@code {input, steps: {<id>: {output, status}}}}. */
    JsonNode scope() {
        return scope;
    }

    /** What conditions read: {@link #scope()} as plain maps and lists. */
    @SuppressWarnings("unchecked")
    Map<String, Object> plainScope() {
        return json.convertValue(scope, Map.class);
    }

    /** Whether the run was queued and starts running in this pass. */
    boolean runStarted() {
        return runStarted;
    }

    /** Whether a step failed the run in this pass. */
    boolean failed() {
        return failure != null;
    }

    /** Whether the run fails or succeeds in this pass. */
    boolean endsRun() {
        return failure != null || output != null;
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

    // ---- decisions ----

    /** The running attempt succeeded. */
    void succeeded(StepDefinition step, int attempt, JsonNode result) {
        completed.add(new Done(step.id(), attempt, result));
        set(step.id(), RunStep.SUCCEEDED, attempt, null, result);
        ObjectNode data = events.step(run.id(), step.id(), RunStep.SUCCEEDED, attempt);
        data.set("output", result);
        event("step.succeeded", data);
    }

    /** The running attempt failed and is tried again at {@code at}, {@code delayMs} from now. */
    void retryLater(StepDefinition step, int attempt, StepFailure failed, Instant at, long delayMs) {
        ObjectNode error = events.error(step, failed);
        retries.add(new RetryLater(step.id(), attempt, error, at));
        set(step.id(), RunStep.PENDING, attempt, at, null);
        ObjectNode data = events.step(run.id(), step.id(), RunStep.FAILED, attempt);
        data.set("error", error);
        data.put("willRetry", true);
        data.put("retryInMs", delayMs);
        event("step.failed", data);
    }

    /** A step the coordinator computed itself: started and succeeded in this pass. */
    void computed(StepDefinition step, int attempt, JsonNode result) {
        computed.add(new Done(step.id(), attempt, result));
        set(step.id(), RunStep.SUCCEEDED, attempt, null, result);
        event("step.started", events.step(run.id(), step.id(), RunStep.RUNNING, attempt));
        ObjectNode data = events.step(run.id(), step.id(), RunStep.SUCCEEDED, attempt);
        data.set("output", result);
        event("step.succeeded", data);
    }

    /** A step starts its next attempt, on a thread of its own once the pass is committed. */
    void start(StepDefinition step) {
        int attempt = states.get(step.id()).attempts() + 1;
        starts.add(new Start(step, attempt, Templates.fill(step.input(), scope)));
        set(step.id(), RunStep.RUNNING, attempt, null, null);
        event("step.started", events.step(run.id(), step.id(), RunStep.RUNNING, attempt));
    }

    void skip(StepDefinition step, String reason) {
        skipped.add(step.id());
        skipReasons.add(reason);
        set(step.id(), RunStep.SKIPPED, states.get(step.id()).attempts(), null, null);
        ObjectNode data = events.step(run.id(), step.id(), RunStep.SKIPPED, 0);
        data.put("reason", reason);
        event("step.skipped", data);
    }

    void awaitApproval(StepDefinition step) {
        awaiting.add(step.id());
        set(step.id(), RunStep.WAITING_APPROVAL, states.get(step.id()).attempts(), null, null);
        event("step.waiting_approval", events.step(run.id(), step.id(), RunStep.WAITING_APPROVAL, 0));
    }

    /** The step failed for good: so does the run; the other steps are cancelled. */
    void fail(StepDefinition step, int attempt, StepFailure failed) {
        ObjectNode error = events.error(step, failed);
        failure = new Failure(step.id(), attempt, error);
        ObjectNode data = events.step(run.id(), step.id(), RunStep.FAILED, attempt);
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
        event("run.failed", events.run(run.id(), Run.FAILED, progress(), null, error));
    }

    /** Every step finished: the run succeeds with the outputs of the steps nothing depends on. */
    void succeedRun() {
        Set<String> dependedOn = new HashSet<>();
        run.steps().forEach(s -> dependedOn.addAll(s.dependencies()));
        output = json.createObjectNode();
        for (RunStep state : states.values()) {
            if (!dependedOn.contains(state.stepId()) && RunStep.SUCCEEDED.equals(state.status())) {
                output.set(state.stepId(), state.output());
            }
        }
        event("run.succeeded", events.run(run.id(), Run.SUCCEEDED, 1, output, null));
    }

    /** The run's status changes (running ⇄ waiting_approval) without an event. */
    void status(String next) {
        status = next;
    }

    // ---- what the writer writes ----

    List<String> eventTypes() {
        return eventTypes;
    }

    List<JsonNode> eventData() {
        return eventData;
    }

    List<Done> completed() {
        return completed;
    }

    List<RetryLater> retries() {
        return retries;
    }

    List<Done> computed() {
        return computed;
    }

    List<String> skipped() {
        return skipped;
    }

    List<String> skipReasons() {
        return skipReasons;
    }

    List<String> awaiting() {
        return awaiting;
    }

    List<Start> starts() {
        return starts;
    }

    /** The step that fails the run in this pass, or null. */
    Failure failure() {
        return failure;
    }

    /** The output of the run when it succeeds in this pass, or null. */
    ObjectNode output() {
        return output;
    }

    /** The run's new status when it changes without ending, or null. */
    String status() {
        return status;
    }

    // ---- state ----

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
}
