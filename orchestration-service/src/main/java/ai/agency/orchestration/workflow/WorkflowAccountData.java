package ai.agency.orchestration.workflow;

import ai.agency.common.accountdata.AccountData;
import ai.agency.orchestration.AccountExport;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user's workflows, their runs with every step and the event log, for the account-data export (never the identity
 * a run acts with or its sealed API key) and erasure. Erasing first cancels the user's active runs as {@code POST
 * /api/v1/runs/{id}/cancel} does, under their row locks (so their coordinators, on any instance, commit nothing
 * more: they find no run afterwards and stop, interrupting the steps they launched), then deletes everything in the
 * same transaction, and waits until this instance's coordinators of those runs have stopped. Where the user decided an approval of another user's run (an admin), the decision stays in that
 * run without the user's id and comment. The runs' API keys are auth-service's, which deletes every key of an erased
 * account itself.
 */
@Component
@Order(30)
class WorkflowAccountData implements AccountData {

    private static final String OWN_RUNS =
            "SELECT id FROM runs WHERE user_id = :userId OR workflow_id IN (SELECT id FROM workflows WHERE owner_id = :userId)";

    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final AccountExport export;
    private final WorkflowRepository workflows;
    private final RunStepRepository steps;
    private final WorkflowService service;
    private final RunEngine engine;
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final JsonMapper json;

    WorkflowAccountData(
            AccountExport export,
            WorkflowRepository workflows,
            RunStepRepository steps,
            WorkflowService service,
            RunEngine engine,
            JdbcClient jdbc,
            TransactionTemplate tx,
            JsonMapper json) {
        this.export = export;
        this.workflows = workflows;
        this.steps = steps;
        this.service = service;
        this.engine = engine;
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    @Override
    public List<String> kinds() {
        return List.of("workflows", "runs", "run_steps", "run_events");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        switch (kind) {
            case "workflows" ->
                export.stream(
                        "SELECT * FROM workflows WHERE owner_id = :userId ORDER BY seq",
                        userId,
                        workflows::workflow,
                        sink);
            case "runs" ->
                export.stream(
                        "SELECT * FROM runs WHERE id IN (" + OWN_RUNS + ") ORDER BY seq", userId, this::run, sink);
            case "run_steps" -> export.stream("""
                        SELECT s.* FROM run_steps s JOIN runs r ON r.id = s.run_id
                        WHERE r.id IN (%s) ORDER BY r.seq, s.position
                        """.formatted(OWN_RUNS), userId, this::step, sink);
            case "run_events" -> export.stream("""
                        SELECT e.* FROM run_events e JOIN runs r ON r.id = e.run_id
                        WHERE r.id IN (%s) ORDER BY r.seq, e.seq
                        """.formatted(OWN_RUNS), userId, this::event, sink);
            default -> throw new IllegalArgumentException("not a kind of " + this + ": " + kind);
        }
    }

    @Override
    public Map<String, Long> erase(UUID userId) {
        Map<String, Long> erased = new LinkedHashMap<>();
        List<UUID> cancelled = new ArrayList<>();
        tx.executeWithoutResult(s -> {
            // no run of the user's workflows can be added meanwhile: a run's insert waits for its workflow's row
            jdbc.sql("SELECT id FROM workflows WHERE owner_id = :userId FOR UPDATE")
                    .param("userId", userId)
                    .query(UUID.class)
                    .list();
            for (UUID runId : jdbc.sql("SELECT id FROM runs WHERE id IN (" + OWN_RUNS
                            + ") AND status IN ('queued', 'running', 'waiting_approval') ORDER BY seq")
                    .param("userId", userId)
                    .query(UUID.class)
                    .list()) {
                if (service.cancelLocked(runId)) {
                    cancelled.add(runId);
                }
            }
            long scrubbed = update("""
                    UPDATE run_steps SET approval = jsonb_set(approval - 'comment', '{by}', 'null')
                    WHERE approval->>'by' = CAST(:userId AS text) AND run_id NOT IN (%s)
                    """.formatted(OWN_RUNS), userId);
            erased.put(
                    "run_steps", scrubbed + update("DELETE FROM run_steps WHERE run_id IN (" + OWN_RUNS + ")", userId));
            erased.put("run_events", update("DELETE FROM run_events WHERE run_id IN (" + OWN_RUNS + ")", userId));
            long runs = update("DELETE FROM runs WHERE id IN (" + OWN_RUNS + ")", userId);
            erased.put("workflows", update("DELETE FROM workflows WHERE owner_id = :userId", userId));
            erased.put("runs", runs);
        });
        cancelled.forEach(service::cancelled);
        awaitStopped(cancelled);
        return erased;
    }

    /**
     * Waits (at most {@link #STOP_WAIT}) until this instance executes none of the cancelled runs: their coordinators
     * have exited and interrupted their steps, so an agent step's turn is over before the conversations are erased
     * (they are erased after the runs).
     */
    private void awaitStopped(List<UUID> runs) {
        long deadline = System.nanoTime() + STOP_WAIT.toNanos();
        try {
            while (runs.stream().anyMatch(engine::executing) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long update(String sql, UUID userId) {
        return jdbc.sql(sql).param("userId", userId).update();
    }

    private Map<String, Object> run(ResultSet rs, int row) throws SQLException {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("id", rs.getObject("id", UUID.class));
        run.put("workflowId", rs.getObject("workflow_id", UUID.class));
        run.put("status", rs.getString("status"));
        run.put("input", node(rs.getString("input")));
        run.put("output", node(rs.getString("output")));
        run.put("error", node(rs.getString("error")));
        run.put("createdAt", instant(rs.getTimestamp("created_at")));
        run.put("startedAt", instant(rs.getTimestamp("started_at")));
        run.put("completedAt", instant(rs.getTimestamp("completed_at")));
        return run;
    }

    private Map<String, Object> step(ResultSet rs, int row) throws SQLException {
        RunView.StepView view = RunView.StepView.of(steps.step(rs, row));
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("runId", rs.getObject("run_id", UUID.class));
        step.put("step", view);
        return step;
    }

    private Map<String, Object> event(ResultSet rs, int row) throws SQLException {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("runId", rs.getObject("run_id", UUID.class));
        event.put("seq", rs.getLong("seq"));
        event.put("type", rs.getString("type"));
        event.put("data", node(rs.getString("data")));
        event.put("createdAt", instant(rs.getTimestamp("created_at")));
        return event;
    }

    private JsonNode node(String text) {
        return text == null ? null : json.readTree(text);
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
