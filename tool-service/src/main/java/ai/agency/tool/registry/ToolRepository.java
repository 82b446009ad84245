package ai.agency.tool.registry;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * SQL over {@code tool.tools}. The registry is shared by all users; what an admin registered goes with their account
 * ({@link RegisteredToolsAccountData}).
 */
@Repository
public class ToolRepository {

    private static final String COLUMNS = "name, description, parameters::text AS parameters, source, enabled, "
            + "write_access, timeout_ms, endpoint, method, sealed_headers, sealed_secret, mcp_server, remote_name";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    ToolRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public List<Tool> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tools ORDER BY name")
                .query(this::map)
                .list();
    }

    public Optional<Tool> find(String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tools WHERE name = :n")
                .param("n", name)
                .query(this::map)
                .optional();
    }

    /** Inserts or refreshes a built-in's row (its description and schema follow the code). */
    public void upsertBuiltin(Tool tool) {
        jdbc.sql("""
                        INSERT INTO tools (name, description, parameters, source, enabled, write_access, timeout_ms)
                        VALUES (:n, :d, CAST(:p AS jsonb), 'builtin', true, :w, :t)
                        ON CONFLICT (name) DO UPDATE SET description = excluded.description,
                            parameters = excluded.parameters, source = 'builtin', write_access = excluded.write_access,
                            timeout_ms = excluded.timeout_ms, endpoint = NULL, method = NULL,
                            sealed_headers = NULL, sealed_secret = NULL, updated_at = now()""")
                .param("n", tool.name())
                .param("d", tool.description())
                .param("p", json.writeValueAsString(tool.parameters()))
                .param("w", tool.write())
                .param("t", tool.timeoutMs())
                .update();
    }

    /** Inserts a new tool; false when the name is taken. */
    public boolean insert(Tool tool, UUID createdBy) {
        return jdbc.sql("""
                                INSERT INTO tools (name, description, parameters, source, enabled, write_access,
                                                   timeout_ms, endpoint, method, sealed_headers, sealed_secret,
                                                   created_by)
                                VALUES (:n, :d, CAST(:p AS jsonb), :s, :e, :w, :t, :ep, :m, :h, :sec, :by)
                                ON CONFLICT (name) DO NOTHING""")
                        .param("n", tool.name())
                        .param("d", tool.description())
                        .param("p", json.writeValueAsString(tool.parameters()))
                        .param("s", tool.source())
                        .param("e", tool.enabled())
                        .param("w", tool.write())
                        .param("t", tool.timeoutMs())
                        .param("ep", tool.endpoint())
                        .param("m", tool.method())
                        .param("h", tool.sealedHeaders())
                        .param("sec", tool.sealedSecret())
                        .param("by", createdBy)
                        .update()
                == 1;
    }

    /** Enables or disables a tool; false when there is none of that name. */
    public boolean setEnabled(String name, boolean enabled) {
        return jdbc.sql("UPDATE tools SET enabled = :e, updated_at = now() WHERE name = :n")
                        .param("e", enabled)
                        .param("n", name)
                        .update()
                == 1;
    }

    /**
     * Makes the stored tools of MCP server {@code server} exactly {@code imported}: tools no longer offered are
     * deleted, new ones inserted (enabled), existing ones updated (their enabled flag is kept). A name held by a tool
     * that does not belong to this server is never overwritten.
     */
    @Transactional
    public void replaceMcpTools(String server, List<Tool> imported) {
        jdbc.sql("DELETE FROM tools WHERE mcp_server = :s AND NOT (name = ANY (:names))")
                .param("s", server)
                .param("names", imported.stream().map(Tool::name).toArray(String[]::new))
                .update();
        for (Tool tool : imported) {
            jdbc.sql("""
                            INSERT INTO tools (name, description, parameters, source, enabled, write_access, timeout_ms,
                                               mcp_server, remote_name)
                            VALUES (:n, :d, CAST(:p AS jsonb), 'mcp', true, :w, :t, :s, :r)
                            ON CONFLICT (name) DO UPDATE SET description = excluded.description,
                                parameters = excluded.parameters, write_access = excluded.write_access,
                                timeout_ms = excluded.timeout_ms, remote_name = excluded.remote_name, updated_at = now()
                            WHERE tools.mcp_server = excluded.mcp_server""")
                    .param("n", tool.name())
                    .param("d", tool.description())
                    .param("p", json.writeValueAsString(tool.parameters()))
                    .param("w", tool.write())
                    .param("t", tool.timeoutMs())
                    .param("s", server)
                    .param("r", tool.remoteName())
                    .update();
        }
    }

    /** The HTTP tools {@code user} registered, by name (imported MCP tools belong to their server). */
    public List<Tool> findHttpCreatedBy(UUID user) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM tools WHERE created_by = :u AND source = 'http' ORDER BY name")
                .param("u", user)
                .query(this::map)
                .list();
    }

    /** Deletes the HTTP tools {@code user} registered; their names. */
    @SuppressWarnings("NullAway") // name is the primary key: the list holds no null
    public List<String> deleteHttpCreatedBy(UUID user) {
        return jdbc.sql("DELETE FROM tools WHERE created_by = :u AND source = 'http' RETURNING name")
                .param("u", user)
                .query(String.class)
                .list();
    }

    /** Deletes a non-built-in tool; false when there is none of that name. */
    public boolean deleteRegistered(String name) {
        return jdbc.sql("DELETE FROM tools WHERE name = :n AND source <> 'builtin'")
                        .param("n", name)
                        .update()
                == 1;
    }

    private Tool map(ResultSet rs, int row) throws SQLException {
        return new Tool(
                rs.getString("name"),
                rs.getString("description"),
                json.readTree(rs.getString("parameters")),
                rs.getString("source"),
                rs.getBoolean("enabled"),
                rs.getBoolean("write_access"),
                rs.getInt("timeout_ms"),
                rs.getString("endpoint"),
                rs.getString("method"),
                rs.getBytes("sealed_headers"),
                rs.getBytes("sealed_secret"),
                rs.getString("mcp_server"),
                rs.getString("remote_name"));
    }
}
