package ai.agency.orchestration.agent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

@Repository
class AgentRepository {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    AgentRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The agent if {@code userId} may see it (its owner, or it is shared). */
    Optional<Agent> findVisible(UUID id, UUID userId) {
        return jdbc.sql("SELECT * FROM agents WHERE id = :id AND (shared OR owner_id = :userId)")
                .param("id", id)
                .param("userId", userId)
                .query(this::map)
                .optional();
    }

    List<Agent> listVisible(UUID userId) {
        return jdbc.sql("SELECT * FROM agents WHERE shared OR owner_id = :userId ORDER BY shared DESC, created_at, id")
                .param("userId", userId)
                .query(this::map)
                .list();
    }

    void insert(Agent agent) {
        jdbc.sql("""
                INSERT INTO agents (id, owner_id, shared, name, description, capabilities, system_prompt,
                                    provider, model_name, temperature, tools)
                VALUES (:id, :ownerId, :shared, :name, :description, :capabilities::jsonb, :systemPrompt,
                        :provider, :modelName, :temperature, :tools::jsonb)
                """).params(params(agent)).update();
    }

    /** Updates the agent when {@code userId} owns it, or any shared agent when {@code admin}. */
    boolean update(Agent agent, UUID userId, boolean admin) {
        var params = params(agent);
        params.put("userId", userId);
        params.put("admin", admin);
        return jdbc.sql("""
                UPDATE agents SET shared = :shared, name = :name, description = :description,
                       capabilities = :capabilities::jsonb, system_prompt = :systemPrompt, provider = :provider,
                       model_name = :modelName, temperature = :temperature, tools = :tools::jsonb, updated_at = now()
                WHERE id = :id AND (owner_id = :userId OR (:admin AND shared))
                """).params(params).update() > 0;
    }

    boolean delete(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("DELETE FROM agents WHERE id = :id AND (owner_id = :userId OR (:admin AND shared))")
                        .param("id", id)
                        .param("userId", userId)
                        .param("admin", admin)
                        .update()
                > 0;
    }

    private java.util.Map<String, Object> params(Agent agent) {
        var params = new java.util.HashMap<String, Object>();
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

    private Agent map(ResultSet rs, int row) throws SQLException {
        Object temperature = rs.getObject("temperature");
        return new Agent(
                rs.getObject("id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getBoolean("shared"),
                rs.getString("name"),
                rs.getString("description"),
                json.readValue(rs.getString("capabilities"), STRINGS),
                rs.getString("system_prompt"),
                new Agent.ModelSpec(
                        rs.getString("provider"),
                        rs.getString("model_name"),
                        temperature == null ? null : ((Number) temperature).doubleValue()),
                json.readValue(rs.getString("tools"), STRINGS),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
