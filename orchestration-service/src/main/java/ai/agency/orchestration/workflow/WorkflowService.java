package ai.agency.orchestration.workflow;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.orchestration.StoredCaller;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Workflow definitions, starting runs, and what people do to runs: look, cancel, approve or reject. */
@Service
class WorkflowService {

    private final WorkflowRepository workflows;
    private final RunRepository runs;
    private final RunStepRepository runSteps;
    private final RunEventRepository events;
    private final WorkflowValidator validator;
    private final RunEngine engine;
    private final TransactionTemplate tx;
    private final WorkflowMetrics metrics;
    private final RunCredentials credentials;
    private final RunEvents runEvents;
    private final JsonMapper json;

    WorkflowService(
            WorkflowRepository workflows,
            RunRepository runs,
            RunStepRepository runSteps,
            RunEventRepository events,
            WorkflowValidator validator,
            RunEngine engine,
            TransactionTemplate tx,
            WorkflowMetrics metrics,
            RunCredentials credentials,
            RunEvents runEvents,
            JsonMapper json) {
        this.workflows = workflows;
        this.runs = runs;
        this.runSteps = runSteps;
        this.events = events;
        this.validator = validator;
        this.engine = engine;
        this.tx = tx;
        this.metrics = metrics;
        this.credentials = credentials;
        this.runEvents = runEvents;
        this.json = json;
    }

    Workflow create(Caller caller, WorkflowRequest request) {
        requireWriter(caller);
        validator.validate(caller, request.steps());
        Workflow workflow = new Workflow(
                UUID.randomUUID(),
                caller.id(),
                request.name().strip(),
                Objects.requireNonNullElse(request.description(), ""),
                request.steps(),
                Instant.now(),
                Instant.now());
        workflows.insertWorkflow(workflow);
        return workflow;
    }

    Workflow get(Caller caller, UUID id) {
        return workflows
                .findWorkflow(id, caller.id(), caller.isAdmin())
                .orElseThrow(() -> AgencyException.notFound("Workflow", id));
    }

    Page<Workflow> list(Caller caller, Integer limit, String cursor) {
        int size = Page.limit(limit);
        List<Row<Workflow>> rows = workflows.listWorkflows(caller.id(), Cursor.seq(cursor), size);
        return Page.of(rows, size, Row::value, r -> Cursor.of(r.seq()));
    }

    /**
     * Queues a run, claimed by this instance, and starts executing it. The run acts as the caller and belongs to the
     * workflow's owner, so only the owner starts runs: a run an admin started on someone else's workflow would show
     * what it did with the admin's rights to that owner (403; anyone else's workflow is a 404).
     */
    RunView start(Caller caller, UUID workflowId, JsonNode input) {
        Run run = queue(
                        caller,
                        workflowId,
                        input,
                        id -> credentials.grant(caller, id).orElse(null),
                        false,
                        id -> true)
                .orElseThrow(); // the claim always holds
        return new RunView(
                run.id(), run.workflowId(), Run.QUEUED, 0, List.of(), run.input(), null, null, null, null, null);
    }

    /**
     * Starts a run for a trigger (a schedule's tick, a webhook's delivery) as {@code caller}, the trigger's owner with
     * a token exchanged from the trigger's API key, which the run borrows to renew its token. {@code claim} runs
     * first in the run's transaction and gets the new run's id: when it answers false (the tick or delivery already
     * has its run) no run is created and the answer is empty.
     */
    Optional<UUID> startTriggered(
            Caller caller, UUID workflowId, JsonNode input, RunCredentials.Grant borrowed, Predicate<UUID> claim) {
        return queue(caller, workflowId, input, id -> borrowed, true, claim).map(Run::id);
    }

    private Optional<Run> queue(
            Caller caller,
            UUID workflowId,
            JsonNode input,
            Function<UUID, RunCredentials.Grant> grantFor,
            boolean borrowed,
            Predicate<UUID> claim) {
        requireWriter(caller);
        Workflow workflow = get(caller, workflowId);
        if (!workflow.ownerId().equals(caller.id())) {
            throw AgencyException.forbidden("Only the workflow's owner can start its runs");
        }
        ObjectNode identity = StoredCaller.toJson(caller, json);
        Run run = new Run(
                UUID.randomUUID(),
                workflow.id(),
                workflow.ownerId(),
                Run.QUEUED,
                input == null || input.isNull() ? json.createObjectNode() : input,
                workflow.steps(),
                null,
                null,
                identity,
                null,
                null,
                null);
        RunCredentials.Grant grant = grantFor.apply(run.id());
        Boolean queued = tx.execute(s -> {
            if (!claim.test(run.id())) {
                return false;
            }
            runs.insertRun(run, engine.instance(), engine.lease(), grant, borrowed);
            return true;
        });
        if (!Boolean.TRUE.equals(queued)) {
            return Optional.empty();
        }
        engine.start(run);
        return Optional.of(run);
    }

    /** Every run state, for the {@code status} filter. */
    static final Set<String> RUN_STATES =
            Set.of(Run.QUEUED, Run.RUNNING, Run.WAITING_APPROVAL, Run.SUCCEEDED, Run.FAILED, Run.CANCELLED);

    /**
     * The caller's runs (an admin's: everyone's), newest first, optionally of one workflow (which the caller must be
     * able to see, else 404) and in one status.
     */
    Page<RunSummary> runs(Caller caller, UUID workflowId, String status, Integer limit, String cursor) {
        int size = Page.limit(limit);
        Long before = Cursor.seq(cursor);
        if (status != null && !RUN_STATES.contains(status)) {
            throw AgencyException.invalidField(
                    "status", "must be one of queued, running, waiting_approval, succeeded, failed, cancelled");
        }
        if (workflowId != null) {
            get(caller, workflowId);
        }
        List<Row<RunSummary>> rows = runs.listRuns(caller.id(), caller.isAdmin(), workflowId, status, before, size);
        return Page.of(rows, size, Row::value, r -> Cursor.of(r.seq()));
    }

    Run run(Caller caller, UUID runId) {
        return runs.findRun(runId, caller.id(), caller.isAdmin())
                .orElseThrow(() -> AgencyException.notFound("Run", runId));
    }

    RunView view(Caller caller, UUID runId) {
        return view(run(caller, runId));
    }

    RunView view(Run run) {
        List<RunStep> steps = runSteps.steps(run.id());
        double progress =
                steps.isEmpty() ? 1 : steps.stream().filter(RunStep::finished).count() / (double) steps.size();
        return new RunView(
                run.id(),
                run.workflowId(),
                run.status(),
                progress,
                steps.stream().map(RunView.StepView::of).toList(),
                run.input(),
                run.output(),
                run.error(),
                run.createdAt(),
                run.startedAt(),
                run.completedAt());
    }

    RunView cancel(Caller caller, UUID runId) {
        requireWriter(caller);
        run(caller, runId);
        if (Boolean.TRUE.equals(tx.execute(s -> cancelLocked(runId)))) {
            cancelled(runId);
        }
        return view(caller, runId);
    }

    /**
     * In a transaction: locks the run's row and, unless it has ended, cancels it (its open steps too) with its {@code
     * run.cancelled} event; whether it did. The lock keeps the run's coordinator from committing anything meanwhile;
     * once the transaction has committed, call {@link #cancelled}.
     */
    boolean cancelLocked(UUID runId) {
        Optional<Run> locked = runs.lockRun(runId);
        if (locked.isEmpty() || locked.get().finished()) {
            return false;
        }
        runSteps.cancelOpenSteps(runId);
        runs.finishRun(runId, Run.CANCELLED, null, null);
        events.appendEvent(runId, "run.cancelled", runEvents.run(runId, Run.CANCELLED, progress(runId), null, null));
        return true;
    }

    /** After {@link #cancelLocked} committed: counts the run and wakes its coordinator, which then stops its steps. */
    void cancelled(UUID runId) {
        metrics.runFinished(Run.CANCELLED);
        engine.signal(runId);
    }

    RunView decide(Caller caller, UUID runId, String stepId, boolean approved, String comment) {
        requireWriter(caller);
        run(caller, runId);
        boolean[] rejected = {false};
        tx.executeWithoutResult(s -> {
            Run locked = runs.lockRun(runId).orElseThrow();
            StepDefinition step = locked.steps().stream()
                    .filter(d -> d.id().equals(stepId))
                    .findFirst()
                    .orElseThrow(() -> AgencyException.notFound("Step", stepId));
            ObjectNode approval = json.createObjectNode()
                    .put("approved", approved)
                    .put("comment", comment)
                    .put("by", caller.id().toString())
                    .put("at", Instant.now().toString());
            ObjectNode data =
                    json.createObjectNode().put("runId", runId.toString()).put("stepId", stepId);
            if (approved) {
                boolean gate = "approval".equals(step.type());
                ObjectNode output =
                        gate ? json.createObjectNode().put("approved", true).put("comment", comment) : null;
                if (locked.finished()
                        || !runSteps.decide(
                                runId,
                                stepId,
                                true,
                                approval,
                                gate ? RunStep.SUCCEEDED : RunStep.PENDING,
                                output,
                                null)) {
                    throw AgencyException.conflict("Step " + stepId + " is not waiting for approval");
                }
                runs.runStatus(runId, Run.RUNNING);
                if (gate) {
                    data.put("status", RunStep.SUCCEEDED).set("output", output);
                    events.appendEvent(runId, "step.succeeded", data);
                }
                return;
            }
            String message = comment == null || comment.isBlank() ? "rejected" : comment;
            ObjectNode error = json.createObjectNode()
                    .put("stepId", stepId)
                    .put("errorType", "rejected")
                    .put("message", message);
            if (locked.finished() || !runSteps.decide(runId, stepId, false, approval, RunStep.FAILED, null, error)) {
                throw AgencyException.conflict("Step " + stepId + " is not waiting for approval");
            }
            data.put("status", RunStep.FAILED).put("willRetry", false).set("error", error);
            events.appendEvent(runId, "step.failed", data);
            runSteps.cancelOpenSteps(runId);
            runs.finishRun(runId, Run.FAILED, null, error);
            events.appendEvent(runId, "run.failed", runEvents.run(runId, Run.FAILED, progress(runId), null, error));
            rejected[0] = true;
        });
        if (rejected[0]) {
            metrics.runFinished(Run.FAILED);
        }
        engine.signal(runId);
        return view(caller, runId);
    }

    List<RunEvent> events(UUID runId, long after) {
        return events.events(runId, after, 500);
    }

    private double progress(UUID runId) {
        List<RunStep> steps = runSteps.steps(runId);
        return steps.isEmpty() ? 1 : steps.stream().filter(RunStep::finished).count() / (double) steps.size();
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot change workflows or runs");
        }
    }
}
