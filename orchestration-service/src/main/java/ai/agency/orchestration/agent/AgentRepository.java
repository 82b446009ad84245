package ai.agency.orchestration.agent;

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
 * Agents and their versions. A change of content and its version row are written by one statement, and the version
 * number is taken from the locked agent row, so concurrent changes get distinct numbers.
 */
@Repository
class AgentRepository {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    /** An agent with its running experiment's id (null without one). */
    static final String SELECT_AGENT = """
            SELECT a.*, (SELECT e.id FROM experiments e WHERE e.agent_id = a.id AND e.status = 'running')
                   AS running_experiment
            FROM agents a
            """;

    private static final String CONTENT =
            "name, description, capabilities, system_prompt, provider, model_name, temperature, tools";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AgentRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The agent if {@code userId} may see it (its owner, or it is shared). */
    Optional<Agent> findVisible(UUID id, UUID userId) {
        return jdbc.sql(SELECT_AGENT + "WHERE a.id = :id AND (a.shared OR a.owner_id = :userId)")
                .param("id", id)
                .param("userId", userId)
                .query(this::map)
                .optional();
    }

    List<Agent> listVisible(UUID userId) {
        return jdbc.sql(SELECT_AGENT
                        + "WHERE a.shared OR a.owner_id = :userId ORDER BY a.shared DESC, a.created_at, a.id")
                .param("userId", userId)
                .query(this::map)
                .list();
    }

    /** The agent and its version 1, by {@code authorId}. */
    void insert(Agent agent, UUID authorId) {
        var params = params(agent);
        params.put("authorId", authorId);
        jdbc.sql("""
                WITH created AS (
                    INSERT INTO agents (id, owner_id, shared, version, name, description, capabilities, system_prompt,
                                        provider, model_name, temperature, tools)
                    VALUES (:id, :ownerId, :shared, 1, :name, :description, :capabilities::jsonb, :systemPrompt,
                            :provider, :modelName, :temperature, :tools::jsonb)
                    RETURNING *)
                INSERT INTO agent_versions (agent_id, version, %s, created_by, created_at)
                SELECT id, version, %s, :authorId, created_at FROM created
                """.formatted(CONTENT, CONTENT)).params(params).update();
    }

    /**
     * Gives the agent the content of {@code agent} as a new version by {@code userId}, when {@code userId} owns it (or
     * any shared agent when {@code admin}) and the content differs from the current one; the new version number, or
     * empty when nothing changed (or the agent is not the caller's).
     */
    Optional<Integer> changeContent(Agent agent, UUID userId, boolean admin) {
        var params = params(agent);
        params.put("userId", userId);
        params.put("admin", admin);
        return jdbc.sql("""
                WITH changed AS (
                    UPDATE agents SET name = :name, description = :description, capabilities = :capabilities::jsonb,
                           system_prompt = :systemPrompt, provider = CAST(:provider AS varchar),
                           model_name = CAST(:modelName AS varchar), temperature = CAST(:temperature AS double precision),
                           tools = :tools::jsonb, version = version + 1, updated_at = now()
                    WHERE id = :id AND (owner_id = :userId OR (:admin AND shared))
                      AND (%s) IS DISTINCT FROM
                          (CAST(:name AS varchar), CAST(:description AS text), CAST(:capabilities AS jsonb),
                           CAST(:systemPrompt AS text), CAST(:provider AS varchar), CAST(:modelName AS varchar),
                           CAST(:temperature AS double precision), CAST(:tools AS jsonb))
                    RETURNING *)
                INSERT INTO agent_versions (agent_id, version, %s, created_by, created_at)
                SELECT id, version, %s, :userId, updated_at FROM changed
                RETURNING version
                """.formatted(CONTENT, CONTENT, CONTENT))
                .params(params)
                .query(Integer.class)
                .optional();
    }

    /** Publishes or unpublishes a shared agent (not a change of its content: no version). */
    void changeShared(UUID id, boolean shared) {
        jdbc.sql("UPDATE agents SET shared = :shared, updated_at = now() WHERE id = :id")
                .param("id", id)
                .param("shared", shared)
                .update();
    }

    boolean delete(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("DELETE FROM agents WHERE id = :id AND (owner_id = :userId OR (:admin AND shared))")
                        .param("id", id)
                        .param("userId", userId)
                        .param("admin", admin)
                        .update()
                > 0;
    }

    /** Versions of an agent the caller may see (checked before), newest first, below {@code before}. */
    List<AgentVersion> versions(UUID agentId, Long before, int limit) {
        return jdbc.sql("""
                SELECT * FROM agent_versions
                WHERE agent_id = :agentId AND (CAST(:before AS bigint) IS NULL OR version < :before)
                ORDER BY version DESC LIMIT :limit
                """)
                .param("agentId", agentId)
                .param("before", before)
                .param("limit", limit + 1)
                .query(this::version)
                .list();
    }

    Optional<AgentVersion> findVersion(UUID agentId, int version) {
        return jdbc.sql("SELECT * FROM agent_versions WHERE agent_id = :agentId AND version = :version")
                .param("agentId", agentId)
                .param("version", version)
                .query(this::version)
                .optional();
    }

    private Map<String, Object> params(Agent agent) {
        var params = new HashMap<String, Object>();
        params.put("id", agent.id());
        params.put("ownerId", agent.ownerId());
        params.put("shared", agent.shared());
        params.put("name", agent.name());
        params.put("description", agent.description());
        params.put("capabilities", json.writeValueAsString(agent.capabilities()));
        params.put("systemPrompt", agent.systemPrompt());
        params.put("provider", agent.model().provider());
        params.put("modelName", agent.model().name());
        params.put("temperature", agent.model().temperature());
        params.put("tools", json.writeValueAsString(agent.tools()));
        return params;
    }

    Agent map(ResultSet rs, int row) throws SQLException {
        return new Agent(
                rs.getObject("id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getBoolean("shared"),
                rs.getInt("version"),
                rs.getString("name"),
                rs.getString("description"),
                json.readValue(rs.getString("capabilities"), STRINGS),
                rs.getString("system_prompt"),
                model(rs),
                json.readValue(rs.getString("tools"), STRINGS),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                rs.getObject("running_experiment", UUID.class));
    }

    AgentVersion version(ResultSet rs, int row) throws SQLException {
        return new AgentVersion(
                rs.getInt("version"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getObject("created_by", UUID.class),
                rs.getString("name"),
                rs.getString("description"),
                json.readValue(rs.getString("capabilities"), STRINGS),
                rs.getString("system_prompt"),
                model(rs),
                json.readValue(rs.getString("tools"), STRINGS));
    }

    private static Agent.ModelSpec model(ResultSet rs) throws SQLException {
        Object temperature = rs.getObject("temperature");
        return new Agent.ModelSpec(
                rs.getString("provider"),
                rs.getString("model_name"),
                temperature == null ? null : ((Number) temperature).doubleValue());
    }
}
