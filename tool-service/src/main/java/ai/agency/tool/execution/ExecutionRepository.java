package ai.agency.tool.execution;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** SQL over {@code tool.executions}; reads are always scoped by user id. */
@Repository
public class ExecutionRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ExecutionRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** One logged execution. */
    public record Execution(
            UUID id,
            UUID userId,
            String tool,
            String outcome,
            @Nullable String errorType,
            long durationMs,
            JsonNode parameters,
            Instant createdAt) {}

    public void insert(Execution e) {
        jdbc.sql("""
                        INSERT INTO executions (id, user_id, tool, outcome, error_type, duration_ms, parameters, created_at)
                        VALUES (:id, :u, :t, :o, :et, :d, CAST(:p AS jsonb), :at)""")
                .param("id", e.id())
                .param("u", e.userId())
                .param("t", e.tool())
                .param("o", e.outcome())
                .param("et", e.errorType())
                .param("d", e.durationMs())
                .param("p", json.writeValueAsString(e.parameters()))
                .param("at", Timestamp.from(e.createdAt()))
                .update();
    }

    /** A user's executions, newest first, after the keyset position {@code (beforeAt, beforeId)} when given. */
    /** The user's executions that ran (not refused) since {@code since}. */
    long ranSince(UUID userId, Instant since) {
        return jdbc.sql("""
                        SELECT count(*) FROM executions
                        WHERE user_id = :u AND created_at >= :since AND outcome <> 'rejected'""")
                .param("u", userId)
                .param("since", Timestamp.from(since))
                .query(Long.class)
                .single();
    }

    /**
     * Streams every execution of the user, oldest first, from a cursor (500 rows a round trip, inside a transaction:
     * {@link ExecutionsAccountData}).
     */
    void forEachOf(UUID userId, java.util.function.Consumer<Execution> consumer) {
        jdbc.sql("SELECT id, user_id, tool, outcome, error_type, duration_ms, parameters::text AS parameters, "
                        + "created_at FROM executions WHERE user_id = :u ORDER BY created_at, id")
                .withFetchSize(500)
                .param("u", userId)
                .query(rs -> {
                    consumer.accept(map(rs));
                });
    }

    /** Deletes every execution of the user; how many. */
    int eraseOf(UUID userId) {
        return jdbc.sql("DELETE FROM executions WHERE user_id = :u")
                .param("u", userId)
                .update();
    }

    public List<Execution> page(
            UUID userId, @Nullable String tool, @Nullable Instant beforeAt, @Nullable UUID beforeId, int limit) {
        return jdbc.sql("SELECT id, user_id, tool, outcome, error_type, duration_ms, parameters::text AS parameters, "
                        + "created_at FROM executions WHERE user_id = :u "
                        + "AND (CAST(:tool AS text) IS NULL OR tool = :tool) "
                        + "AND (CAST(:at AS timestamptz) IS NULL OR (created_at, id) < (CAST(:at AS timestamptz), :id)) "
                        + "ORDER BY created_at DESC, id DESC LIMIT :limit")
                .param("u", userId)
                .param("tool", tool)
                .param("at", beforeAt == null ? null : Timestamp.from(beforeAt))
                .param("id", beforeId == null ? new UUID(0, 0) : beforeId)
                .param("limit", limit)
                .query((rs, row) -> map(rs))
                .list();
    }

    private Execution map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Execution(
                rs.getObject("id", UUID.class),
                rs.getObject("user_id", UUID.class),
                rs.getString("tool"),
                rs.getString("outcome"),
                rs.getString("error_type"),
                rs.getLong("duration_ms"),
                json.readTree(rs.getString("parameters")),
                rs.getTimestamp("created_at").toInstant());
    }
}
