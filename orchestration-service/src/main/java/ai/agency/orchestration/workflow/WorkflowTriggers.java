package ai.agency.orchestration.workflow;

import java.util.List;
import java.util.UUID;

/** A kind of trigger of workflows (schedules, incoming webhooks), whose triggers go when their workflow is deleted. */
public interface WorkflowTriggers {

    /**
     * Deletes the workflow's triggers of this kind, in the transaction that deletes the workflow (nothing of them may
     * fire after it commits); returns their API keys, which are revoked once it has committed.
     */
    List<TriggerCredentials.Key> deleteAll(UUID workflowId);
}
