package ai.agency.orchestration.workflow;

import ai.agency.common.error.AgencyException;
import ai.agency.common.error.ErrorClassifier;
import ai.agency.common.security.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What owners delete: a workflow with everything of it (its runs, cancelled first when still active, their steps and
 * events, its schedules and webhooks), or one finished run with its steps and events. Only the owner may (anyone
 * else, admins included, gets 404); the API keys that go with them (the triggers' keys, a run's own key not revoked
 * yet) are revoked at auth-service once the deletion has committed.
 */
@Service
class WorkflowDeletion {

    private static final Logger log = LoggerFactory.getLogger(WorkflowDeletion.class);

    /** What a committed deletion leaves to do: wake cancelled runs' coordinators, revoke keys. */
    private record Removed(
            List<UUID> cancelled, List<TriggerCredentials.Key> triggerKeys, List<RunCredentials.Grant> runKeys) {}

    private final WorkflowService workflows;
    private final List<WorkflowTriggers> triggers;
    private final TriggerCredentials triggerCredentials;
    private final RunCredentials runCredentials;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    WorkflowDeletion(
            WorkflowService workflows,
            List<WorkflowTriggers> triggers,
            TriggerCredentials triggerCredentials,
            RunCredentials runCredentials,
            JdbcClient jdbc,
            TransactionTemplate tx) {
        this.workflows = workflows;
        this.triggers = triggers;
        this.triggerCredentials = triggerCredentials;
        this.runCredentials = runCredentials;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    /**
     * Deletes the caller's workflow. Its row is locked first, so no run or trigger of it can be added meanwhile (their
     * inserts wait for the lock, then find no workflow); its active runs are cancelled under their row locks, so their
     * coordinators commit nothing more; then everything goes in the same transaction.
     */
    void deleteWorkflow(Caller caller, UUID workflowId) {
        requireWriter(caller);
        Removed removed = tx.execute(s -> {
            boolean own = jdbc.sql("SELECT id FROM workflows WHERE id = :id AND owner_id = :owner FOR UPDATE")
                    .param("id", workflowId)
                    .param("owner", caller.id())
                    .query(UUID.class)
                    .optional()
                    .isPresent();
            if (!own) {
                throw AgencyException.notFound("Workflow", workflowId);
            }
            List<UUID> cancelled = new ArrayList<>();
            for (UUID runId :
                    jdbc.sql("""
                            SELECT id FROM runs WHERE workflow_id = :id
                               AND status IN ('queued', 'running', 'waiting_approval') ORDER BY seq
                            """).param("id", workflowId).query(UUID.class).list()) {
                if (workflows.cancelLocked(runId)) {
                    cancelled.add(runId);
                }
            }
            List<TriggerCredentials.Key> keys = new ArrayList<>();
            triggers.forEach(t -> keys.addAll(t.deleteAll(workflowId)));
            List<RunCredentials.Grant> runKeys = runKeys("workflow_id = :id", workflowId);
            jdbc.sql("DELETE FROM workflows WHERE id = :id")
                    .param("id", workflowId)
                    .update();
            return new Removed(cancelled, keys, runKeys);
        });
        removed.cancelled().forEach(workflows::cancelled);
        removed.triggerKeys().forEach(triggerCredentials::revoke);
        removed.runKeys().forEach(this::revoke);
        log.info(
                "user {} deleted workflow {} ({} active runs cancelled, {} triggers)",
                caller.id(),
                workflowId,
                removed.cancelled().size(),
                removed.triggerKeys().size());
    }

    /** Deletes the caller's finished run; a run still queued, running or waiting for approval is a 409. */
    void deleteRun(Caller caller, UUID runId) {
        requireWriter(caller);
        List<RunCredentials.Grant> runKeys = tx.execute(s -> {
            String status = jdbc.sql("SELECT status FROM runs WHERE id = :id AND user_id = :owner FOR UPDATE")
                    .param("id", runId)
                    .param("owner", caller.id())
                    .query(String.class)
                    .optional()
                    .orElseThrow(() -> AgencyException.notFound("Run", runId));
            if (Run.ACTIVE.contains(status)) {
                throw AgencyException.conflict("Run " + runId + " is " + status
                        + "; cancel it first (POST /api/v1/runs/" + runId + "/cancel), then delete it");
            }
            List<RunCredentials.Grant> keys = runKeys("id = :id", runId);
            jdbc.sql("DELETE FROM runs WHERE id = :id").param("id", runId).update();
            return keys;
        });
        runKeys.forEach(this::revoke);
    }

    /** The runs' own API keys not revoked yet (a key borrowed from a trigger is the trigger's). */
    private List<RunCredentials.Grant> runKeys(String where, UUID id) {
        return jdbc.sql("SELECT credential_id, credential FROM runs WHERE " + where
                        + " AND credential_id IS NOT NULL AND NOT credential_borrowed")
                .param("id", id)
                .query((rs, i) ->
                        new RunCredentials.Grant(rs.getObject("credential_id", UUID.class), rs.getBytes("credential")))
                .list();
    }

    private void revoke(RunCredentials.Grant grant) {
        try {
            runCredentials.revoke(grant);
        } catch (RuntimeException e) {
            log.warn(
                    "could not revoke API key {} of a deleted workflow run: {}",
                    grant.keyId(),
                    ErrorClassifier.classify(e).code());
        }
    }

    private static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("Viewers cannot delete workflows or runs");
        }
    }
}
