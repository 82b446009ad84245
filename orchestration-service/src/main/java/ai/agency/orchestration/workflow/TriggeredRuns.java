package ai.agency.orchestration.workflow;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * What the triggers of workflows (schedules, incoming webhooks) may do with workflows: check that a workflow is the
 * caller's own, and start runs as a trigger's owner, exactly once per tick or delivery.
 */
@Component
public class TriggeredRuns {

    private final WorkflowService workflows;

    TriggeredRuns(WorkflowService workflows) {
        this.workflows = workflows;
    }

    /**
     * Refuses a workflow the caller does not own: 404 when they cannot see it, 403 when they can (an admin) but it is
     * someone else's, since a trigger's runs act as the trigger's creator and belong to the workflow's owner.
     */
    public void requireOwnWorkflow(Caller caller, UUID workflowId) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot change workflows or runs");
        }
        if (!workflows.get(caller, workflowId).ownerId().equals(caller.id())) {
            throw AgencyException.forbidden("Only the workflow's owner can add triggers to it");
        }
    }

    /**
     * Starts a run of the workflow as {@code caller} (from {@link TriggerCredentials#actAs}) with {@code input},
     * borrowing {@code key} to renew its token. {@code claim} runs in the run's transaction before it is inserted and
     * records the tick or delivery with the new run's id; when it answers false, no run is started (empty).
     */
    public Optional<UUID> start(
            Caller caller, UUID workflowId, JsonNode input, TriggerCredentials.Key key, Predicate<UUID> claim) {
        return workflows.startTriggered(caller, workflowId, input, key.grant(), claim);
    }
}
