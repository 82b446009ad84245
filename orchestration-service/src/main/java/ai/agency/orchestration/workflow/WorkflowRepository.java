package ai.agency.orchestration.workflow;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Workflow definitions ({@code workflows}). Queries carry the owner's id unless an admin acts. */
@Repository
class WorkflowRepository {

    private static final TypeReference<List<StepDefinition>> STEPS = new TypeReference<>() {};

    private final JdbcClient jdbc;
    private final JsonMapper json;

    WorkflowRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void insertWorkflow(Workflow workflow) {
        jdbc.sql("""
                INSERT INTO workflows (id, owner_id, name, description, steps)
                VALUES (:id, :ownerId, :name, :description, :steps::jsonb)
                """)
                .param("id", workflow.id())
                .param("ownerId", workflow.ownerId())
                .param("name", workflow.name())
                .param("description", workflow.description())
                .param("steps", json.writeValueAsString(workflow.steps()))
                .update();
    }

    Optional<Workflow> findWorkflow(UUID id, UUID userId, boolean admin) {
        return jdbc.sql("SELECT * FROM workflows WHERE id = :id AND (owner_id = :userId OR :admin)")
                .param("id", id)
                .param("userId", userId)
                .param("admin", admin)
                .query(this::workflow)
                .optional();
    }

    /** The user's workflows, newest first, after the cursor position; one more than {@code limit}. */
    List<Row<Workflow>> listWorkflows(UUID userId, Long before, int limit) {
        return jdbc.sql("""
                SELECT * FROM workflows WHERE owner_id = :userId AND (CAST(:before AS bigint) IS NULL OR seq < :before)
                ORDER BY seq DESC LIMIT :limit
                """)
                .param("userId", userId)
                .param("before", before)
                .param("limit", limit + 1)
                .query((rs, i) -> new Row<>(rs.getLong("seq"), workflow(rs, i)))
                .list();
    }

    Workflow workflow(ResultSet rs, int row) throws SQLException {
        return new Workflow(
                rs.getObject("id", UUID.class),
                rs.getObject("owner_id", UUID.class),
                rs.getString("name"),
                rs.getString("description"),
                json.readValue(rs.getString("steps"), STEPS),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }
}
