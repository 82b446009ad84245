package ai.agency.orchestration.workflow;

import ai.agency.common.page.Page;
import ai.agency.common.security.Caller;
import ai.agency.common.sse.SseWriter;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.validation.Valid;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@RestController
class WorkflowController {

    private final WorkflowService workflows;
    private final WorkflowDeletion deletion;
    private final RunNotifier notifier;
    private final JsonMapper json;

    WorkflowController(WorkflowService workflows, WorkflowDeletion deletion, RunNotifier notifier, JsonMapper json) {
        this.workflows = workflows;
        this.deletion = deletion;
        this.notifier = notifier;
        this.json = json;
    }

    record RunRequest(JsonNode input) {}

    record ApprovalRequest(Boolean approved, String comment) {}

    @PostMapping("/api/v1/workflows")
    ResponseEntity<Workflow> create(@Valid @RequestBody WorkflowRequest request, Caller caller) {
        return ResponseEntity.status(HttpStatus.CREATED).body(workflows.create(caller, request));
    }

    @GetMapping("/api/v1/workflows")
    Page<Workflow> list(
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return workflows.list(caller, limit, cursor);
    }

    @GetMapping("/api/v1/workflows/{id}")
    Workflow get(@PathVariable UUID id, Caller caller) {
        return workflows.get(caller, id);
    }

    /** The owner deletes the workflow with its runs (active ones cancelled first), schedules and webhooks: 204. */
    @DeleteMapping("/api/v1/workflows/{id}")
    ResponseEntity<Void> delete(@PathVariable UUID id, Caller caller) {
        deletion.deleteWorkflow(caller, id);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/api/v1/workflows/{id}/runs")
    ResponseEntity<Map<String, Object>> start(
            @PathVariable UUID id, @RequestBody(required = false) RunRequest request, Caller caller) {
        RunView run = workflows.start(caller, id, request == null ? null : request.input());
        return ResponseEntity.status(HttpStatus.ACCEPTED)
                .header("Location", "/api/v1/runs/" + run.id())
                .body(Map.of("runId", run.id(), "status", run.status()));
    }

    /** The caller's runs (an admin's: all), newest first; {@code ?workflowId&status&limit&cursor}. */
    @GetMapping("/api/v1/runs")
    Page<RunSummary> runs(
            @RequestParam(required = false) UUID workflowId,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return workflows.runs(caller, workflowId, status, limit, cursor);
    }

    /** The runs of one workflow the caller can see (else 404), newest first; {@code ?status&limit&cursor}. */
    @GetMapping("/api/v1/workflows/{id}/runs")
    Page<RunSummary> workflowRuns(
            @PathVariable UUID id,
            @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor,
            Caller caller) {
        return workflows.runs(caller, id, status, limit, cursor);
    }

    @GetMapping("/api/v1/runs/{runId}")
    RunView run(@PathVariable UUID runId, Caller caller) {
        return workflows.view(caller, runId);
    }

    /** The owner deletes a finished run with its steps and events: 204; an active run is a 409 (cancel it first). */
    @DeleteMapping("/api/v1/runs/{runId}")
    ResponseEntity<Void> deleteRun(@PathVariable UUID runId, Caller caller) {
        deletion.deleteRun(caller, runId);
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/api/v1/runs/{runId}/cancel")
    RunView cancel(@PathVariable UUID runId, Caller caller) {
        return workflows.cancel(caller, runId);
    }

    @PostMapping("/api/v1/runs/{runId}/steps/{stepId}/approval")
    RunView approval(
            @PathVariable UUID runId,
            @PathVariable String stepId,
            @RequestBody ApprovalRequest request,
            Caller caller) {
        if (request.approved() == null) {
            throw ai.agency.common.error.AgencyException.invalidField("approved", "must be true or false");
        }
        return workflows.decide(caller, runId, stepId, request.approved(), request.comment());
    }

    /**
     * The run's events as SSE, from the persisted log: those after {@code Last-Event-ID} (or all), then new ones as
     * they are committed, until the run has ended. Runs on the request's virtual thread.
     */
    @GetMapping(value = "/api/v1/runs/{runId}/events")
    void events(
            @PathVariable UUID runId,
            @RequestHeader(value = "Last-Event-ID", required = false) String lastEventId,
            Caller caller,
            HttpServletResponse response)
            throws InterruptedException {
        workflows.run(caller, runId);
        long after = 0;
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                after = Long.parseLong(lastEventId.strip());
            } catch (NumberFormatException e) {
                throw ai.agency.common.error.AgencyException.invalidField("Last-Event-ID", "must be an event id");
            }
        }
        SseWriter sse = new SseWriter(response, json);
        sse.start();
        int idle = 0;
        while (true) {
            long seen = notifier.version();
            List<RunEvent> events = workflows.events(runId, after);
            for (RunEvent event : events) {
                sse.event(event.seq(), event.type(), event.data());
                after = event.seq();
                if (event.terminal()) {
                    sse.flush();
                    return;
                }
            }
            if (!events.isEmpty()) {
                sse.flush();
                idle = 0;
                continue;
            }
            if (workflows.run(caller, runId).finished()) {
                if (!workflows.events(runId, after).isEmpty()) {
                    continue; // it ended between the two reads: send its last events first
                }
                return; // ended without a terminal event after `after` (already replayed)
            }
            if (++idle % 30 == 0) {
                sse.comment("keep-alive");
            }
            notifier.await(seen, Duration.ofMillis(500));
        }
    }
}
