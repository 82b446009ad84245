package ai.agency.orchestration.experiment;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Experiments, their sticky assignments and the per-variant numbers of their turns. An experiment is visible to its
 * owner (and to admins when its agent is shared); results are aggregates over the turns of every user assigned.
 */
@Repository
class ExperimentRepository {

    private static final TypeReference<List<Experiment.Variant>> VARIANTS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ExperimentRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Throws {@code DuplicateKeyException} when the agent already has an experiment that is not ended. */
    void insert(Experiment experiment) {
        jdbc.sql("""
                INSERT INTO experiments (id, agent_id, owner_id, name, status, variants)
                VALUES (:id, :agentId, :ownerId, :name, :status, :variants::jsonb)
                """)
                .param("id", experiment.id())
                .param("agentId", experiment.agentId())
                .param("ownerId", experiment.ownerId())
                .param("name", experiment.name())
                .param("status", experiment.status())
                .param("variants", json.writeValueAsString(experiment.variants()))
                .update();
    }

    Optional<Experiment> find(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("""
                SELECT e.* FROM experiments e JOIN agents a ON a.id = e.agent_id
                WHERE e.id = :id AND (e.owner_id = :userId OR (:admin AND a.shared))
                """)
                .param("id", id)
                .param("userId", userId)
                .param("admin", admin)
                .query(this::map)
                .optional();
    }

    /** The experiment if it is running (paused and ended ones assign nobody). */
    Optional<Experiment> running(UUID id) {
        return jdbc.sql("SELECT * FROM experiments WHERE id = :id AND status = 'running'")
                .param("id", id)
                .query(this::map)
                .optional();
    }

    /** Moves the experiment from one of {@code from} to {@code to}; false when it was in another status. */
    boolean changeStatus(UUID id, List<String> from, String to, Integer winner) {
        return jdbc.sql("""
                        UPDATE experiments SET status = :to, winner = COALESCE(CAST(:winner AS integer), winner),
                               updated_at = now()
                        WHERE id = :id AND status IN (:from)
                        """)
                        .param("id", id)
                        .param("from", from)
                        .param("to", to)
                        .param("winner", winner)
                        .update()
                == 1;
    }

    Optional<Integer> assignment(UUID experimentId, UUID userId) {
        return jdbc.sql("SELECT version FROM experiment_assignments WHERE experiment_id = :id AND user_id = :userId")
                .param("id", experimentId)
                .param("userId", userId)
                .query(Integer.class)
                .optional();
    }

    /** Stores the user's variant unless one is stored already (a concurrent first turn): the stored one. */
    int assign(UUID experimentId, UUID userId, int version) {
        return jdbc.sql("""
                INSERT INTO experiment_assignments (experiment_id, user_id, version) VALUES (:id, :userId, :version)
                ON CONFLICT (experiment_id, user_id) DO UPDATE SET version = experiment_assignments.version
                RETURNING version
                """)
                .param("id", experimentId)
                .param("userId", userId)
                .param("version", version)
                .query(Integer.class)
                .single();
    }

    /** Users assigned, by version. */
    Map<Integer, Long> users(UUID experimentId) {
        Map<Integer, Long> users = new HashMap<>();
        jdbc.sql("""
                SELECT version, count(*) AS users FROM experiment_assignments WHERE experiment_id = :id
                GROUP BY version
                """).param("id", experimentId).query(rs -> {
            users.put(rs.getInt("version"), rs.getLong("users"));
        });
        return users;
    }

    /** The numbers of the experiment's answers, by the version that gave them. */
    Map<Integer, Turns> turns(UUID experimentId) {
        Map<Integer, Turns> turns = new HashMap<>();
        jdbc.sql("""
                SELECT m.agent_version AS version,
                       count(*) FILTER (WHERE m.status = 'complete') AS turns,
                       count(*) FILTER (WHERE m.status = 'failed') AS failed,
                       count(*) FILTER (WHERE m.status = 'cancelled') AS cancelled,
                       count(*) FILTER (WHERE f.rating = 'up') AS up,
                       count(*) FILTER (WHERE f.rating = 'down') AS down,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY (m.usage->>'firstChunkMs')::float8)
                           FILTER (WHERE m.status = 'complete') AS first_p50,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY (m.usage->>'firstChunkMs')::float8)
                           FILTER (WHERE m.status = 'complete') AS first_p95,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY (m.usage->>'turnMs')::float8)
                           FILTER (WHERE m.status = 'complete') AS turn_p50,
                       percentile_cont(0.95) WITHIN GROUP (ORDER BY (m.usage->>'turnMs')::float8)
                           FILTER (WHERE m.status = 'complete') AS turn_p95,
                       COALESCE(sum((m.usage->>'totalTokens')::bigint), 0) AS tokens,
                       COALESCE(sum((m.usage->>'toolErrors')::bigint), 0) AS tool_errors
                FROM messages m LEFT JOIN message_feedback f ON f.message_id = m.id
                WHERE m.experiment_id = :id AND m.role = 'assistant'
                GROUP BY m.agent_version
                """).param("id", experimentId).query(rs -> {
            turns.put(
                    rs.getInt("version"),
                    new Turns(
                            rs.getLong("turns"),
                            rs.getLong("failed"),
                            rs.getLong("cancelled"),
                            rs.getLong("up"),
                            rs.getLong("down"),
                            percentiles(rs, "first"),
                            percentiles(rs, "turn"),
                            rs.getLong("tokens"),
                            rs.getLong("tool_errors")));
        });
        return turns;
    }

    /**
     * What the answers of one variant add up to: {@code turns} answered (latencies are theirs), turns that {@code
     * failed} or were {@code cancelled}; tokens and tool errors of all of them (a failed turn may have spent both).
     */
    record Turns(
            long turns,
            long failed,
            long cancelled,
            long up,
            long down,
            ExperimentResults.Percentiles firstChunkMs,
            ExperimentResults.Percentiles turnMs,
            long tokens,
            long toolErrors) {}

    private static ExperimentResults.Percentiles percentiles(ResultSet rs, String prefix) throws SQLException {
        return new ExperimentResults.Percentiles(
                rs.getObject(prefix + "_p50", Double.class), rs.getObject(prefix + "_p95", Double.class));
    }

    Experiment map(ResultSet rs, int row) throws SQLException {
        return new Experiment(
                rs.getObject("id", UUID.class),
                rs.getObject("agent_id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getString("name"),
                rs.getString("status"),
                json.readValue(rs.getString("variants"), VARIANTS),
                rs.getObject("winner", Integer.class),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
