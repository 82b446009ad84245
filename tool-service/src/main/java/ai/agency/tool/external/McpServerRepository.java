package ai.agency.tool.external;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** SQL over {@code tool.mcp_servers}. */
@Repository
class McpServerRepository {

    /** A registered external MCP server; {@code sealedHeaders} is an AES-GCM ciphertext that never leaves us. */
    record Server(
            String name,
            String url,
            byte @Nullable [] sealedHeaders,
            int timeoutMs,
            Instant createdAt,
            @Nullable Instant refreshedAt,
            @Nullable String lastError) {}

    private static final String COLUMNS = "name, url, sealed_headers, timeout_ms, created_at, refreshed_at, last_error";

    private final JdbcClient jdbc;

    McpServerRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    List<Server> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mcp_servers ORDER BY name")
                .query(this::map)
                .list();
    }

    Optional<Server> find(String name) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mcp_servers WHERE name = :n")
                .param("n", name)
                .query(this::map)
                .optional();
    }

    /** The servers {@code user} registered, by name. */
    List<Server> findCreatedBy(UUID user) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM mcp_servers WHERE created_by = :u ORDER BY name")
                .param("u", user)
                .query(this::map)
                .list();
    }

    /** Deletes the servers {@code user} registered (their imported tools by the foreign key); their names. */
    @SuppressWarnings("NullAway") // name is the primary key: the list holds no null
    List<String> deleteCreatedBy(UUID user) {
        return jdbc.sql("DELETE FROM mcp_servers WHERE created_by = :u RETURNING name")
                .param("u", user)
                .query(String.class)
                .list();
    }

    /** False when the name is taken. */
    boolean insert(Server server, UUID createdBy) {
        return jdbc.sql("""
                                INSERT INTO mcp_servers (name, url, sealed_headers, timeout_ms, created_by)
                                VALUES (:n, :u, :h, :t, :by)
                                ON CONFLICT (name) DO NOTHING""")
                        .param("n", server.name())
                        .param("u", server.url())
                        .param("h", server.sealedHeaders())
                        .param("t", server.timeoutMs())
                        .param("by", createdBy)
                        .update()
                == 1;
    }

    /** Deletes the server and, by the foreign key, its imported tools. */
    boolean delete(String name) {
        return jdbc.sql("DELETE FROM mcp_servers WHERE name = :n")
                        .param("n", name)
                        .update()
                == 1;
    }

    /** Records a refresh: its time when it worked, and the error (null when it worked). */
    void recordRefresh(String name, @Nullable String error) {
        jdbc.sql("""
                        UPDATE mcp_servers
                        SET refreshed_at = CASE WHEN CAST(:e AS text) IS NULL THEN now() ELSE refreshed_at END,
                            last_error = CAST(:e AS text)
                        WHERE name = :n""").param("n", name).param("e", error).update();
    }

    private Server map(ResultSet rs, int row) throws SQLException {
        Timestamp refreshed = rs.getTimestamp("refreshed_at");
        return new Server(
                rs.getString("name"),
                rs.getString("url"),
                rs.getBytes("sealed_headers"),
                rs.getInt("timeout_ms"),
                rs.getTimestamp("created_at").toInstant(),
                refreshed == null ? null : refreshed.toInstant(),
                rs.getString("last_error"));
    }
}
