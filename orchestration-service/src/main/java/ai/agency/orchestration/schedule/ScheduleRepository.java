package ai.agency.orchestration.schedule;

import ai.agency.orchestration.workflow.TriggerCredentials;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * Workflow schedules ({@code workflow_schedules}) and the ticks that started runs ({@code schedule_fires}). Queries on
 * behalf of a user carry the user's id; the firing reads a schedule by id alone (it acts as the schedule's owner).
 */
@Repository
class ScheduleRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ScheduleRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insert(Schedule s) {
        jdbc.sql("""
                INSERT INTO workflow_schedules (id, workflow_id, user_id, cron, time_zone, input, missed_policy,
                                                credential_id, credential)
                VALUES (:id, :workflowId, :userId, :cron, :timeZone, :input::jsonb, :missedPolicy, :keyId, :key)
                """)
                .param("id", s.id())
                .param("workflowId", s.workflowId())
                .param("userId", s.userId())
                .param("cron", s.cron())
                .param("timeZone", s.timeZone())
                .param("input", json.writeValueAsString(s.input()))
                .param("missedPolicy", s.missedPolicy())
                .param("keyId", s.key().id())
                .param("key", s.key().sealed())
                .update();
    }

    int count(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM workflow_schedules WHERE user_id = :userId")
                .param("userId", userId)
                .query(Integer.class)
                .single();
    }

    /** The schedule, whoever owns it (for its ticks). */
    Optional<Schedule> find(UUID id) {
        return jdbc.sql("SELECT * FROM workflow_schedules WHERE id = :id")
                .param("id", id)
                .query(this::schedule)
                .optional();
    }

    Optional<Schedule> find(UUID id, UUID userId) {
        return jdbc.sql("SELECT * FROM workflow_schedules WHERE id = :id AND user_id = :userId")
                .param("id", id)
                .param("userId", userId)
                .query(this::schedule)
                .optional();
    }

    /** The user's schedules, newest first, after the cursor position; one more than {@code limit}. */
    List<Schedule> list(UUID userId, Long before, int limit) {
        return jdbc.sql("""
                SELECT * FROM workflow_schedules
                WHERE user_id = :userId AND (CAST(:before AS bigint) IS NULL OR seq < :before)
                ORDER BY seq DESC LIMIT :limit
                """)
                .param("userId", userId)
                .param("before", before)
                .param("limit", limit + 1)
                .query(this::schedule)
                .list();
    }

    boolean pause(UUID id, UUID userId, boolean paused) {
        return jdbc.sql("UPDATE workflow_schedules SET paused = :paused WHERE id = :id AND user_id = :userId")
                        .param("paused", paused)
                        .param("id", id)
                        .param("userId", userId)
                        .update()
                == 1;
    }

    boolean delete(UUID id, UUID userId) {
        return jdbc.sql("DELETE FROM workflow_schedules WHERE id = :id AND user_id = :userId")
                        .param("id", id)
                        .param("userId", userId)
                        .update()
                == 1;
    }

    /** Deletes the workflow's schedules and their pending ticks (in the caller's transaction); their API keys. */
    List<TriggerCredentials.Key> deleteOfWorkflow(UUID workflowId) {
        jdbc.sql("""
                DELETE FROM scheduled_tasks WHERE task_name = :task
                   AND task_instance IN (SELECT id::text FROM workflow_schedules WHERE workflow_id = :id)
                """)
                .param("task", ScheduleTicks.TASK_NAME)
                .param("id", workflowId)
                .update();
        return jdbc.sql("DELETE FROM workflow_schedules WHERE workflow_id = :id RETURNING credential_id, credential")
                .param("id", workflowId)
                .query((rs, i) -> new TriggerCredentials.Key(
                        rs.getObject("credential_id", UUID.class), rs.getBytes("credential")))
                .list();
    }

    /**
     * Records that {@code tick} starts {@code runId}, in the run's transaction; false when the tick already has its run
     * (another replica or an earlier attempt started it).
     */
    boolean claimTick(UUID scheduleId, Instant tick, UUID runId) {
        return jdbc.sql("""
                        INSERT INTO schedule_fires (schedule_id, tick, run_id) VALUES (:scheduleId, :tick, :runId)
                        ON CONFLICT DO NOTHING
                        """)
                        .param("scheduleId", scheduleId)
                        .param("tick", Timestamp.from(tick))
                        .param("runId", runId)
                        .update()
                == 1;
    }

    /** What the last tick did: the run it started (null: none) or why it started none. */
    void ticked(UUID id, Instant tick, UUID runId, String error) {
        jdbc.sql("""
                UPDATE workflow_schedules SET last_tick = :tick, last_run_id = coalesce(CAST(:runId AS uuid), last_run_id),
                                              last_error = :error
                WHERE id = :id
                """)
                .param("tick", Timestamp.from(tick))
                .param("runId", runId)
                .param("error", error)
                .param("id", id)
                .update();
    }

    Schedule schedule(ResultSet rs, int row) throws SQLException {
        Timestamp lastTick = rs.getTimestamp("last_tick");
        return new Schedule(
                rs.getLong("seq"),
                rs.getObject("id", UUID.class),
                rs.getObject("workflow_id", UUID.class),
                rs.getObject("user_id", UUID.class),
                rs.getString("cron"),
                rs.getString("time_zone"),
                json.readTree(rs.getString("input")),
                rs.getString("missed_policy"),
                rs.getBoolean("paused"),
                new TriggerCredentials.Key(rs.getObject("credential_id", UUID.class), rs.getBytes("credential")),
                lastTick == null ? null : lastTick.toInstant(),
                rs.getObject("last_run_id", UUID.class),
                rs.getString("last_error"),
                rs.getTimestamp("created_at").toInstant());
    }
}
