package ai.agency.orchestration.workflow;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The steps of runs ({@code run_steps}). A step's changes are guarded by the state (and attempt) the caller read it
 * in and report whether they applied, so that a caller with a stale view changes nothing; the engine and people's
 * actions make them holding the run's row lock ({@link RunRepository#lockRunClaim}, {@link RunRepository#lockRun}).
 */
@Repository
class RunStepRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    RunStepRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The run's status and its steps, in one query; null when there is no such run. */
    RunState runState(UUID runId) {
        String[] status = {null};
        List<RunStep> steps = new ArrayList<>();
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

    List<RunStep> steps(UUID runId) {
        return jdbc.sql("SELECT * FROM run_steps WHERE run_id = :runId ORDER BY position")
                .param("runId", runId)
                .query(this::step)
                .list();
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

    /**
     * Steps left {@code running} by an instance that stopped are to be run again. Their attempt was cut off, not
     * failed: it runs again under the same number, so its tool call carries the same idempotency key.
     */
    void requeueRunningSteps(UUID runId) {
        jdbc.sql("""
                        UPDATE run_steps SET status = 'pending', attempts = attempts - 1
                        WHERE run_id = :runId AND status = 'running'""").param("runId", runId).update();
    }

    private String[] texts(List<JsonNode> nodes) {
        return nodes.stream()
                .map(n -> n == null ? null : json.writeValueAsString(n))
                .toArray(String[]::new);
    }

    RunStep step(ResultSet rs, int row) throws SQLException {
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
}
