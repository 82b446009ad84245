package ai.agency.orchestration.workflow;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Workflows, runs, their steps and events. Queries on user data carry the user id unless an admin acts. */
@Repository
class WorkflowRepository {

    private static final TypeReference<List<StepDefinition>> STEPS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    WorkflowRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    // ---- workflows ----

    void insertWorkflow(Workflow workflow) {
        jdbc.sql("""
                INSERT INTO workflows (id, owner_id, name, description, steps)
                VALUES (:id, :ownerId, :name, :description, :steps::jsonb)
                """)
                .param("id", workflow.id())
                .param("ownerId", workflow.ownerId())
                .param("name", workflow.name())
                .param("description", workflow.description())
                .param("steps", json.writeValueAsString(workflow.steps()))
                .update();
    }

    Optional<Workflow> findWorkflow(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("SELECT * FROM workflows WHERE id = :id AND (owner_id = :userId OR :admin)")
                .param("id", id)
                .param("userId", userId)
                .param("admin", admin)
                .query(this::workflow)
                .optional();
    }

    /** The user's workflows, newest first, after the cursor position; one more than {@code limit}. */
    List<Row<Workflow>> listWorkflows(UUID userId, Long before, int limit) {
        return jdbc.sql("""
                SELECT * FROM workflows WHERE owner_id = :userId AND (CAST(:before AS bigint) IS NULL OR seq < :before)
                ORDER BY seq DESC LIMIT :limit
                """)
                .param("userId", userId)
                .param("before", before)
                .param("limit", limit + 1)
                .query((rs, i) -> new Row<>(rs.getLong("seq"), workflow(rs, i)))
                .list();
    }

    // ---- runs ----

    void insertRun(Run run, String claimedBy, Duration lease, RunCredentials.Grant grant) {
        jdbc.sql("""
                INSERT INTO runs (id, workflow_id, user_id, status, input, steps, caller, claimed_by, claimed_until,
                                  credential_id, credential)
                VALUES (:id, :workflowId, :userId, :status, :input::jsonb, :steps::jsonb, :caller::jsonb, :claimedBy,
                        now() + :leaseMs * interval '1 millisecond', :credentialId, :credential)
                """)
                .param("credentialId", grant == null ? null : grant.keyId())
                .param("credential", grant == null ? null : grant.sealedKey())
                .param("id", run.id())
                .param("workflowId", run.workflowId())
                .param("userId", run.userId())
                .param("status", run.status())
                .param("input", json.writeValueAsString(run.input()))
                .param("steps", json.writeValueAsString(run.steps()))
                .param("caller", json.writeValueAsString(run.caller()))
                .param("claimedBy", claimedBy)
                .param("leaseMs", lease.toMillis())
                .update();
        jdbc.sql("""
                INSERT INTO run_steps (run_id, step_id, position, type)
                SELECT :runId, s.step_id, s.position - 1, s.type
                FROM unnest(CAST(:ids AS text[]), CAST(:types AS text[])) WITH ORDINALITY AS s(step_id, type, position)
                """)
                .param("runId", run.id())
                .param("ids", run.steps().stream().map(StepDefinition::id).toArray(String[]::new))
                .param("types", run.steps().stream().map(StepDefinition::type).toArray(String[]::new))
                .update();
    }

    Optional<Run> findRun(UUID id) {
        return jdbc.sql("SELECT * FROM runs WHERE id = :id")
                .param("id", id)
                .query(this::run)
                .optional();
    }

    Optional<Run> findRun(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("SELECT * FROM runs WHERE id = :id AND (user_id = :userId OR :admin)")
                .param("id", id)
                .param("userId", userId)
                .param("admin", admin)
                .query(this::run)
                .optional();
    }

    /**
     * Runs newest first, one more than {@code limit}: the user's, or everyone's when {@code all}; optionally only those
     * of one workflow and/or in one status.
     */
    List<Row<RunSummary>> listRuns(UUID userId, boolean all, UUID workflowId, String status, Long before, int limit) {
        return jdbc.sql("""
                SELECT r.seq, r.id, r.workflow_id, r.user_id, r.status, r.error, r.created_at, r.started_at,
                       r.completed_at,
                       (SELECT CASE WHEN count(*) = 0 THEN 1.0
                                    ELSE count(*) FILTER (WHERE s.status IN ('succeeded', 'failed', 'skipped',
                                                                             'cancelled'))::float8 / count(*) END
                          FROM run_steps s WHERE s.run_id = r.id) AS progress
                FROM runs r
                WHERE (r.user_id = :userId OR :all)
                  AND (CAST(:workflowId AS uuid) IS NULL OR r.workflow_id = :workflowId)
                  AND (CAST(:status AS varchar) IS NULL OR r.status = :status)
                  AND (CAST(:before AS bigint) IS NULL OR r.seq < :before)
                ORDER BY r.seq DESC LIMIT :limit
                """)
                .param("userId", userId)
                .param("all", all)
                .param("workflowId", workflowId)
                .param("status", status)
                .param("before", before)
                .param("limit", limit + 1)
                .query((rs, i) -> new Row<>(
                        rs.getLong("seq"),
                        new RunSummary(
                                rs.getObject("id", UUID.class),
                                rs.getObject("workflow_id", UUID.class),
                                rs.getObject("user_id", UUID.class),
                                rs.getString("status"),
                                rs.getDouble("progress"),
                                node(rs.getString("error")),
                                instant(rs.getTimestamp("created_at")),
                                instant(rs.getTimestamp("started_at")),
                                instant(rs.getTimestamp("completed_at")))))
                .list();
    }

    /** Locks the run's row for the rest of the transaction: every change of a run and its events goes through it. */
    Optional<Run> lockRun(UUID id) {
        return jdbc.sql("SELECT * FROM runs WHERE id = :id FOR UPDATE")
                .param("id", id)
                .query(this::run)
                .optional();
    }

    /** The run's status and its steps, in one query; null when there is no such run. */
    RunState runState(UUID runId) {
        String[] status = {null};
        List<RunStep> steps = new java.util.ArrayList<>();
        jdbc.sql("""
                SELECT r.status AS run_status, s.*
                FROM runs r LEFT JOIN run_steps s ON s.run_id = r.id
                WHERE r.id = :runId ORDER BY s.position
                """).param("runId", runId).query(rs -> {
            status[0] = rs.getString("run_status");
            if (rs.getString("step_id") != null) {
                steps.add(step(rs, 0));
            }
        });
        return status[0] == null ? null : new RunState(status[0], steps);
    }

    /** A run's status with its steps. */
    record RunState(String status, List<RunStep> steps) {}

    /** Locks the run's row for the rest of the transaction; whether the run has ended. */
    boolean lockRunFinished(UUID id) {
        String status = jdbc.sql("SELECT status FROM runs WHERE id = :id FOR UPDATE")
                .param("id", id)
                .query(String.class)
                .single();
        return !Run.ACTIVE.contains(status);
    }

    List<RunStep> steps(UUID runId) {
        return jdbc.sql("SELECT * FROM run_steps WHERE run_id = :runId ORDER BY position")
                .param("runId", runId)
                .query(this::step)
                .list();
    }

    void runStatus(UUID id, String status) {
        jdbc.sql("""
                UPDATE runs SET status = :status, updated_at = now(),
                       started_at = CASE WHEN :status = 'running' THEN coalesce(started_at, now()) ELSE started_at END
                WHERE id = :id
                """).param("id", id).param("status", status).update();
    }

    /** Ends the run; its token is forgotten. */
    void finishRun(UUID id, String status, JsonNode output, JsonNode error) {
        jdbc.sql("""
                UPDATE runs SET status = :status, output = :output::jsonb, error = :error::jsonb, completed_at = now(),
                       updated_at = now(), caller = caller - 'token', claimed_by = NULL, claimed_until = NULL
                WHERE id = :id
                """)
                .param("id", id)
                .param("status", status)
                .param("output", output == null ? null : json.writeValueAsString(output))
                .param("error", error == null ? null : json.writeValueAsString(error))
                .update();
    }

    /** Cancels every step that has not finished. */
    void cancelOpenSteps(UUID runId) {
        jdbc.sql("""
                UPDATE run_steps SET status = 'cancelled', completed_at = now()
                WHERE run_id = :runId AND status IN ('pending', 'running', 'waiting_approval')
                """).param("runId", runId).update();
    }

    /** Moves a step from {@code from} to {@code to}; false when it was not in {@code from}. */
    boolean stepStatus(UUID runId, String stepId, String from, String to) {
        return jdbc.sql("""
                UPDATE run_steps SET status = :to,
                       completed_at = CASE WHEN :to IN ('succeeded', 'failed', 'skipped', 'cancelled') THEN now() END
                WHERE run_id = :runId AND step_id = :stepId AND status = :from
                """)
                        .param("runId", runId)
                        .param("stepId", stepId)
                        .param("from", from)
                        .param("to", to)
                        .update()
                == 1;
    }

    /** pending → running, counting the attempt; the attempt number, or 0 when the step was not pending. */
    int startStep(UUID runId, String stepId) {
        return jdbc.sql("""
                UPDATE run_steps SET status = 'running', attempts = attempts + 1, next_attempt_at = NULL,
                       started_at = coalesce(started_at, now())
                WHERE run_id = :runId AND step_id = :stepId AND status = 'pending'
                RETURNING attempts
                """)
                .param("runId", runId)
                .param("stepId", stepId)
                .query(Integer.class)
                .optional()
                .orElse(0);
    }

    /** Ends the running attempt {@code attempt}; false when the step is no longer in that attempt. */
    boolean completeStep(UUID runId, String stepId, int attempt, String status, JsonNode output, JsonNode error) {
        return jdbc.sql("""
                UPDATE run_steps SET status = :status, output = :output::jsonb, error = :error::jsonb,
                       completed_at = now()
                WHERE run_id = :runId AND step_id = :stepId AND status = 'running' AND attempts = :attempt
                """)
                        .param("runId", runId)
                        .param("stepId", stepId)
                        .param("attempt", attempt)
                        .param("status", status)
                        .param("output", output == null ? null : json.writeValueAsString(output))
                        .param("error", error == null ? null : json.writeValueAsString(error))
                        .update()
                == 1;
    }

    /** The running attempt failed and will be tried again at {@code at}. */
    boolean retryStep(UUID runId, String stepId, int attempt, JsonNode error, Instant at) {
        return jdbc.sql("""
                UPDATE run_steps SET status = 'pending', error = :error::jsonb, next_attempt_at = :at
                WHERE run_id = :runId AND step_id = :stepId AND status = 'running' AND attempts = :attempt
                """)
                        .param("runId", runId)
                        .param("stepId", stepId)
                        .param("attempt", attempt)
                        .param("error", json.writeValueAsString(error))
                        .param("at", Timestamp.from(at))
                        .update()
                == 1;
    }

    void skipStep(UUID runId, String stepId, String reason) {
        jdbc.sql("""
                UPDATE run_steps SET status = 'skipped', completed_at = now(),
                       output = NULL, error = NULL, approval = jsonb_build_object('skipReason', CAST(:reason AS text))
                WHERE run_id = :runId AND step_id = :stepId AND status = 'pending'
                """)
                .param("runId", runId)
                .param("stepId", stepId)
                .param("reason", reason)
                .update();
    }

    /** Records a person's decision on a waiting step; {@code status} is where the step goes next. */
    boolean decide(
            UUID runId,
            String stepId,
            boolean approved,
            JsonNode approval,
            String status,
            JsonNode output,
            JsonNode error) {
        return jdbc.sql("""
                UPDATE run_steps SET approved = :approved, approval = :approval::jsonb, status = :status,
                       output = :output::jsonb, error = :error::jsonb,
                       completed_at = CASE WHEN :status IN ('succeeded', 'failed') THEN now() END
                WHERE run_id = :runId AND step_id = :stepId AND status = 'waiting_approval'
                """)
                        .param("runId", runId)
                        .param("stepId", stepId)
                        .param("approved", approved)
                        .param("approval", json.writeValueAsString(approval))
                        .param("status", status)
                        .param("output", output == null ? null : json.writeValueAsString(output))
                        .param("error", error == null ? null : json.writeValueAsString(error))
                        .update()
                == 1;
    }

    /**
     * Locks the run's row for the rest of the transaction and returns its status and the instance holding its claim;
     * null when there is no such run.
     */
    RunLock lockRunClaim(UUID id) {
        return jdbc.sql("SELECT status, claimed_by FROM runs WHERE id = :id FOR UPDATE")
                .param("id", id)
                .query((rs, i) -> new RunLock(rs.getString("status"), rs.getString("claimed_by")))
                .optional()
                .orElse(null);
    }

    /** A locked run's status and claimant. */
    record RunLock(String status, String claimedBy) {}

    /**
     * pending → succeeded in one statement, for steps computed by the coordinator itself ({@code transform}): each
     * step's attempt {@code attempts[i]} (its previous count + 1) is started and completed now with {@code
     * outputs[i]}; how many steps changed (fewer than given when some were no longer pending in that attempt).
     */
    int succeedPending(UUID runId, List<String> stepIds, List<Integer> attempts, List<JsonNode> outputs) {
        return jdbc.sql("""
                UPDATE run_steps s SET status = 'succeeded', attempts = u.attempt, next_attempt_at = NULL,
                       started_at = coalesce(s.started_at, now()), completed_at = now(), output = u.output::jsonb,
                       error = NULL
                FROM unnest(CAST(:ids AS text[]), CAST(:attempts AS int[]), CAST(:outputs AS text[]))
                     AS u(step_id, attempt, output)
                WHERE s.run_id = :runId AND s.step_id = u.step_id AND s.status = 'pending'
                  AND s.attempts = u.attempt - 1
                """)
                .param("runId", runId)
                .param("ids", stepIds.toArray(String[]::new))
                .param("attempts", attempts.toArray(Integer[]::new))
                .param("outputs", texts(outputs))
                .update();
    }

    /** running → succeeded in one statement for the given attempts; how many steps changed. */
    int completeRunning(UUID runId, List<String> stepIds, List<Integer> attempts, List<JsonNode> outputs) {
        return jdbc.sql("""
                UPDATE run_steps s SET status = 'succeeded', output = u.output::jsonb, error = NULL,
                       completed_at = now()
                FROM unnest(CAST(:ids AS text[]), CAST(:attempts AS int[]), CAST(:outputs AS text[]))
                     AS u(step_id, attempt, output)
                WHERE s.run_id = :runId AND s.step_id = u.step_id AND s.status = 'running'
                  AND s.attempts = u.attempt
                """)
                .param("runId", runId)
                .param("ids", stepIds.toArray(String[]::new))
                .param("attempts", attempts.toArray(Integer[]::new))
                .param("outputs", texts(outputs))
                .update();
    }

    /** pending → running in one statement, counting attempt {@code attempts[i]}; how many steps changed. */
    int startPending(UUID runId, List<String> stepIds, List<Integer> attempts) {
        return jdbc.sql("""
                UPDATE run_steps s SET status = 'running', attempts = u.attempt, next_attempt_at = NULL,
                       started_at = coalesce(s.started_at, now())
                FROM unnest(CAST(:ids AS text[]), CAST(:attempts AS int[])) AS u(step_id, attempt)
                WHERE s.run_id = :runId AND s.step_id = u.step_id AND s.status = 'pending'
                  AND s.attempts = u.attempt - 1
                """)
                .param("runId", runId)
                .param("ids", stepIds.toArray(String[]::new))
                .param("attempts", attempts.toArray(Integer[]::new))
                .update();
    }

    /** pending → skipped in one statement, each with its reason; how many steps changed. */
    int skipPending(UUID runId, List<String> stepIds, List<String> reasons) {
        return jdbc.sql("""
                UPDATE run_steps s SET status = 'skipped', completed_at = now(), output = NULL, error = NULL,
                       approval = jsonb_build_object('skipReason', u.reason)
                FROM unnest(CAST(:ids AS text[]), CAST(:reasons AS text[])) AS u(step_id, reason)
                WHERE s.run_id = :runId AND s.step_id = u.step_id AND s.status = 'pending'
                """)
                .param("runId", runId)
                .param("ids", stepIds.toArray(String[]::new))
                .param("reasons", reasons.toArray(String[]::new))
                .update();
    }

    private String[] texts(List<JsonNode> nodes) {
        return nodes.stream()
                .map(n -> n == null ? null : json.writeValueAsString(n))
                .toArray(String[]::new);
    }

    /**
     * Steps left {@code running} by an instance that stopped are to be run again. Their attempt was cut off, not
     * failed: it runs again under the same number, so its tool call carries the same idempotency key.
     */
    void requeueRunningSteps(UUID runId) {
        jdbc.sql("""
                        UPDATE run_steps SET status = 'pending', attempts = attempts - 1
                        WHERE run_id = :runId AND status = 'running'""").param("runId", runId).update();
    }

    // ---- credentials ----

    /** The run's service credential, while it has one. */
    Optional<RunCredentials.Grant> credential(UUID runId) {
        return jdbc.sql("SELECT credential_id, credential FROM runs WHERE id = :id AND credential_id IS NOT NULL")
                .param("id", runId)
                .query((rs, i) ->
                        new RunCredentials.Grant(rs.getObject("credential_id", UUID.class), rs.getBytes("credential")))
                .optional();
    }

    /** A run that has ended and still holds a credential to revoke. */
    record FinishedCredential(UUID runId, RunCredentials.Grant grant) {}

    List<FinishedCredential> finishedCredentials(int limit) {
        return jdbc.sql("""
                SELECT id, credential_id, credential FROM runs
                WHERE credential_id IS NOT NULL AND status NOT IN ('queued', 'running', 'waiting_approval')
                ORDER BY seq LIMIT :limit
                """)
                .param("limit", limit)
                .query((rs, i) -> new FinishedCredential(
                        rs.getObject("id", UUID.class),
                        new RunCredentials.Grant(rs.getObject("credential_id", UUID.class), rs.getBytes("credential"))))
                .list();
    }

    void clearCredential(UUID runId) {
        jdbc.sql("UPDATE runs SET credential_id = NULL, credential = NULL WHERE id = :id")
                .param("id", runId)
                .update();
    }

    // ---- events ----

    /** Appends an event with the run's next sequence number (call with the run's row locked). */
    long appendEvent(UUID runId, String type, JsonNode data) {
        return jdbc.sql("""
                WITH next AS (UPDATE runs SET event_seq = event_seq + 1 WHERE id = :runId RETURNING event_seq)
                INSERT INTO run_events (run_id, seq, type, data)
                SELECT :runId, event_seq, :type, :data::jsonb FROM next
                RETURNING seq
                """)
                .param("runId", runId)
                .param("type", type)
                .param("data", json.writeValueAsString(data))
                .query(Long.class)
                .single();
    }

    /**
     * Appends events in the given order with the run's next sequence numbers, in one statement (call with the run's
     * row locked).
     */
    void appendEvents(UUID runId, List<String> types, List<JsonNode> data) {
        if (types.isEmpty()) {
            return;
        }
        jdbc.sql("""
                WITH next AS (UPDATE runs SET event_seq = event_seq + :n WHERE id = :runId
                              RETURNING event_seq - :n AS base)
                INSERT INTO run_events (run_id, seq, type, data)
                SELECT :runId, next.base + e.ord, e.type, e.data::jsonb
                FROM next, unnest(CAST(:types AS text[]), CAST(:data AS text[])) WITH ORDINALITY AS e(type, data, ord)
                """)
                .param("runId", runId)
                .param("n", types.size())
                .param("types", types.toArray(String[]::new))
                .param("data", texts(data))
                .update();
    }

    List<RunEvent> events(UUID runId, long after, int limit) {
        return jdbc.sql("SELECT * FROM run_events WHERE run_id = :runId AND seq > :after ORDER BY seq LIMIT :limit")
                .param("runId", runId)
                .param("after", after)
                .param("limit", limit)
                .query((rs, i) -> new RunEvent(
                        rs.getLong("seq"),
                        rs.getString("type"),
                        json.readTree(rs.getString("data")),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }

    // ---- claims ----

    boolean renewClaim(UUID runId, String instance, Duration lease) {
        return jdbc.sql("""
                UPDATE runs SET claimed_until = now() + :leaseMs * interval '1 millisecond'
                WHERE id = :id AND claimed_by = :instance AND status IN ('queued', 'running', 'waiting_approval')
                """)
                        .param("id", runId)
                        .param("instance", instance)
                        .param("leaseMs", lease.toMillis())
                        .update()
                == 1;
    }

    /** Claims unfinished runs that no live instance holds (never claimed, released, or lease expired). */
    List<UUID> claimAbandoned(String instance, Duration lease, int limit) {
        return jdbc.sql("""
                UPDATE runs SET claimed_by = :instance, claimed_until = now() + :leaseMs * interval '1 millisecond'
                WHERE id IN (SELECT id FROM runs
                             WHERE status IN ('queued', 'running', 'waiting_approval')
                               AND (claimed_by IS NULL OR claimed_until < now())
                             ORDER BY seq LIMIT :limit FOR UPDATE SKIP LOCKED)
                RETURNING id
                """)
                .param("instance", instance)
                .param("leaseMs", lease.toMillis())
                .param("limit", limit)
                .query(UUID.class)
                .list();
    }

    void releaseClaims(String instance) {
        jdbc.sql("UPDATE runs SET claimed_by = NULL, claimed_until = NULL WHERE claimed_by = :instance")
                .param("instance", instance)
                .update();
    }

    void releaseClaim(UUID runId, String instance) {
        jdbc.sql("UPDATE runs SET claimed_by = NULL, claimed_until = NULL WHERE id = :id AND claimed_by = :instance")
                .param("id", runId)
                .param("instance", instance)
                .update();
    }

    // ---- mapping ----

    private Workflow workflow(ResultSet rs, int row) throws SQLException {
        return new Workflow(
                rs.getObject("id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getString("name"),
                rs.getString("description"),
                json.readValue(rs.getString("steps"), STEPS),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    private Run run(ResultSet rs, int row) throws SQLException {
        return new Run(
                rs.getObject("id", UUID.class),
                rs.getObject("workflow_id", UUID.class),
                rs.getObject("user_id", UUID.class),
                rs.getString("status"),
                json.readTree(rs.getString("input")),
                json.readValue(rs.getString("steps"), STEPS),
                node(rs.getString("output")),
                node(rs.getString("error")),
                json.readTree(rs.getString("caller")),
                instant(rs.getTimestamp("created_at")),
                instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("completed_at")));
    }

    private RunStep step(ResultSet rs, int row) throws SQLException {
        return new RunStep(
                rs.getString("step_id"),
                rs.getInt("position"),
                rs.getString("type"),
                rs.getString("status"),
                rs.getInt("attempts"),
                (Boolean) rs.getObject("approved"),
                node(rs.getString("approval")),
                instant(rs.getTimestamp("next_attempt_at")),
                instant(rs.getTimestamp("started_at")),
                instant(rs.getTimestamp("completed_at")),
                node(rs.getString("output")),
                node(rs.getString("error")));
    }

    private JsonNode node(String text) {
        return text == null ? null : json.readTree(text);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** A row with its position, for cursors. */
    record Row<T>(long seq, T value) {}
}
