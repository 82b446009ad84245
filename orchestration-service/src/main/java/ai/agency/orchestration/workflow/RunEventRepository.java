package ai.agency.orchestration.workflow;

import java.util.List;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The events of runs ({@code run_events}), numbered 1, 2, 3, … per run from {@code runs.event_seq}. */
@Repository
class RunEventRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    RunEventRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

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

    private String[] texts(List<JsonNode> nodes) {
        return nodes.stream()
                .map(n -> n == null ? null : json.writeValueAsString(n))
                .toArray(String[]::new);
    }
}
