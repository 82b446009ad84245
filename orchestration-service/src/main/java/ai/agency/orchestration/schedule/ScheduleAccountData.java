package ai.agency.orchestration.schedule;

import ai.agency.common.accountdata.AccountData;
import ai.agency.orchestration.AccountExport;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A user's workflow schedules (as {@code GET /api/v1/schedules} shows them: never their API key) and the ticks that
 * started runs, for the account-data export and erasure. Erasing deletes them with their pending executions in
 * db-scheduler's {@code scheduled_tasks}, in one transaction, so no tick fires after it; their API keys are
 * auth-service's, which deletes every key of an erased account itself.
 */
@Component
@Order(10)
class ScheduleAccountData implements AccountData {

    private final AccountExport export;
    private final ScheduleRepository schedules;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    ScheduleAccountData(AccountExport export, ScheduleRepository schedules, JdbcClient jdbc, TransactionTemplate tx) {
        this.export = export;
        this.schedules = schedules;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public List<String> kinds() {
        return List.of("schedules", "schedule_fires");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case "schedules" ->
                export.stream(
                        "SELECT * FROM workflow_schedules WHERE user_id = :userId ORDER BY seq",
                        userId,
                        (rs, i) -> ScheduleView.of(schedules.schedule(rs, i), Instant.now()),
                        sink);
            case "schedule_fires" ->
                export.stream(
                        """
                        SELECT f.* FROM schedule_fires f JOIN workflow_schedules s ON s.id = f.schedule_id
                        WHERE s.user_id = :userId ORDER BY s.seq, f.tick
                        """,
                        userId,
                        (rs, i) -> {
                            Map<String, Object> fire = new LinkedHashMap<>();
                            fire.put("scheduleId", rs.getObject("schedule_id", UUID.class));
                            fire.put("tick", rs.getTimestamp("tick").toInstant());
                            fire.put("runId", rs.getObject("run_id", UUID.class));
                            fire.put("createdAt", rs.getTimestamp("created_at").toInstant());
                            return fire;
                        },
                        sink);
            default -> throw new IllegalArgumentException("not a kind of " + this + ": " + kind);
        }
    }

    @Override
    public Map<String, Long> erase(UUID userId) {
        return tx.execute(s -> {
            jdbc.sql("""
                    DELETE FROM scheduled_tasks WHERE task_name = :task
                       AND task_instance IN (SELECT id::text FROM workflow_schedules WHERE user_id = :userId)
                    """)
                    .param("task", ScheduleTicks.TASK_NAME)
                    .param("userId", userId)
                    .update();
            Map<String, Long> erased = new LinkedHashMap<>();
            erased.put("schedule_fires", delete("""
                    DELETE FROM schedule_fires WHERE schedule_id IN (SELECT id FROM workflow_schedules WHERE user_id = :userId)
                    """, userId));
            erased.put("schedules", delete("DELETE FROM workflow_schedules WHERE user_id = :userId", userId));
            return erased;
        });
    }

    private long delete(String sql, UUID userId) {
        return jdbc.sql(sql).param("userId", userId).update();
    }
}
