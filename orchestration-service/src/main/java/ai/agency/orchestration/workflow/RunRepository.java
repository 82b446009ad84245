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

/**
 * Runs ({@code runs}): their rows and status, the claim of the instance that executes each, and the service
 * credential each holds. Queries on user data carry the user id unless an admin acts.
 */
@Repository
class RunRepository {

    private static final TypeReference<List<StepDefinition>> STEPS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    RunRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insertRun(Run run, String claimedBy, Duration lease, RunCredentials.Grant grant) {
        insertRun(run, claimedBy, lease, grant, false);
    }

    /**
     * Inserts a queued run claimed by {@code claimedBy}. A {@code borrowed} credential belongs to the trigger that
     * started the run (a schedule's or webhook's API key): it is cleared, never revoked, when the run ends.
     */
    void insertRun(Run run, String claimedBy, Duration lease, RunCredentials.Grant grant, boolean borrowed) {
        jdbc.sql("""
                INSERT INTO runs (id, workflow_id, user_id, status, input, steps, caller, claimed_by, claimed_until,
                                  credential_id, credential, credential_borrowed)
                VALUES (:id, :workflowId, :userId, :status, :input::jsonb, :steps::jsonb, :caller::jsonb, :claimedBy,
                        now() + :leaseMs * interval '1 millisecond', :credentialId, :credential, :borrowed)
                """)
                .param("credentialId", grant == null ? null : grant.keyId())
                .param("credential", grant == null ? null : grant.sealedKey())
                .param("borrowed", grant != null && borrowed)
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

    /** Locks the run's row for the rest of the transaction; whether the run has ended. */
    boolean lockRunFinished(UUID id) {
        String status = jdbc.sql("SELECT status FROM runs WHERE id = :id FOR UPDATE")
                .param("id", id)
                .query(String.class)
                .single();
        return !Run.ACTIVE.contains(status);
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

    // ---- credentials ----

    /** The run's service credential, while it has one. */
    Optional<RunCredentials.Grant> credential(UUID runId) {
        return jdbc.sql("SELECT credential_id, credential FROM runs WHERE id = :id AND credential_id IS NOT NULL")
                .param("id", runId)
                .query((rs, i) ->
                        new RunCredentials.Grant(rs.getObject("credential_id", UUID.class), rs.getBytes("credential")))
                .optional();
    }

    /** A run that has ended and still holds a credential to revoke (or, when borrowed from a trigger, to clear). */
    record FinishedCredential(UUID runId, RunCredentials.Grant grant, boolean borrowed) {}

    List<FinishedCredential> finishedCredentials(int limit) {
        return jdbc.sql("""
                SELECT id, credential_id, credential, credential_borrowed FROM runs
                WHERE credential_id IS NOT NULL AND status NOT IN ('queued', 'running', 'waiting_approval')
                ORDER BY seq LIMIT :limit
                """)
                .param("limit", limit)
                .query((rs, i) -> new FinishedCredential(
                        rs.getObject("id", UUID.class),
                        new RunCredentials.Grant(rs.getObject("credential_id", UUID.class), rs.getBytes("credential")),
                        rs.getBoolean("credential_borrowed")))
                .list();
    }

    void clearCredential(UUID runId) {
        jdbc.sql("UPDATE runs SET credential_id = NULL, credential = NULL WHERE id = :id")
                .param("id", runId)
                .update();
    }

    // ---- mapping ----

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

    private JsonNode node(String text) {
        return text == null ? null : json.readTree(text);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
