package ai.agency.memory.memory;

import com.pgvector.PGvector;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** SQL over {@code memory.memories}; every statement is scoped by user id. */
@Repository
public class MemoryRepository {

    public static final String COLUMNS =
            "id, content, tags, importance, metadata::text AS metadata, agent_id, session_id, created_at, updated_at, expires_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    MemoryRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A memory to insert. */
    public record NewMemory(
            UUID userId,
            String agentId,
            String sessionId,
            String content,
            String contentHash,
            float[] embedding,
            List<String> tags,
            double importance,
            Map<String, Object> metadata,
            Instant expiresAt) {}

    public Optional<Memory> findByHash(UUID userId, String agentId, String sessionId, String hash) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM memories WHERE user_id = :u AND coalesce(agent_id, '') = :a "
                        + "AND coalesce(session_id, '') = :s AND content_hash = :h")
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .param("h", hash)
                .query(this::map)
                .optional();
    }

    /** Removes an expired copy of this text in this scope, so the text can be stored anew; true if there was one. */
    public boolean deleteExpiredByHash(UUID userId, String agentId, String sessionId, String hash) {
        return jdbc.sql("DELETE FROM memories WHERE user_id = :u AND coalesce(agent_id, '') = :a "
                                + "AND coalesce(session_id, '') = :s AND content_hash = :h AND expires_at <= now()")
                        .param("u", userId)
                        .param("a", agentId == null ? "" : agentId)
                        .param("s", sessionId == null ? "" : sessionId)
                        .param("h", hash)
                        .update()
                > 0;
    }

    /** Inserts; empty when the same text already exists in that scope (a concurrent add won). */
    public Optional<UUID> insert(NewMemory m) {
        UUID id = UUID.randomUUID();
        int rows = jdbc.sql("""
                        INSERT INTO memories (id, user_id, agent_id, session_id, content, content_hash, embedding,
                                              tags, importance, metadata, expires_at)
                        VALUES (:id, :u, :a, :s, :c, :h, :e, :tags, :imp, CAST(:meta AS jsonb), :exp)
                        ON CONFLICT DO NOTHING""")
                .param("id", id)
                .param("u", m.userId())
                .param("a", m.agentId())
                .param("s", m.sessionId())
                .param("c", m.content())
                .param("h", m.contentHash())
                .param("e", new PGvector(m.embedding()))
                .param("tags", m.tags().toArray(String[]::new))
                .param("imp", m.importance())
                .param("meta", json.writeValueAsString(m.metadata()))
                .param("exp", m.expiresAt() == null ? null : Timestamp.from(m.expiresAt()))
                .update();
        return rows == 1 ? Optional.of(id) : Optional.empty();
    }

    public Optional<Memory> find(UUID userId, UUID id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM memories WHERE user_id = :u AND id = :id "
                        + "AND (expires_at IS NULL OR expires_at > now())")
                .param("u", userId)
                .param("id", id)
                .query(this::map)
                .optional();
    }

    /** The caller's live memories among {@code ids}, in no particular order. */
    public List<Memory> findAll(UUID userId, List<UUID> ids) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM memories WHERE user_id = :u AND id = ANY(:ids) "
                        + "AND (expires_at IS NULL OR expires_at > now())")
                .param("u", userId)
                .param("ids", ids.toArray(UUID[]::new))
                .query(this::map)
                .list();
    }

    public boolean delete(UUID userId, UUID id) {
        return jdbc.sql("DELETE FROM memories WHERE user_id = :u AND id = :id")
                        .param("u", userId)
                        .param("id", id)
                        .update()
                == 1;
    }

    public void history(UUID memoryId, UUID userId, String event, String oldText, String newText, UUID actor) {
        jdbc.sql("INSERT INTO memory_history (memory_id, user_id, event, old_memory, new_memory, actor) "
                        + "VALUES (:m, :u, :e, :o, :n, :a)")
                .param("m", memoryId)
                .param("u", userId)
                .param("e", event)
                .param("o", oldText)
                .param("n", newText)
                .param("a", actor)
                .update();
    }

    public Memory map(ResultSet rs, int row) throws SQLException {
        Array tags = rs.getArray("tags");
        Timestamp expires = rs.getTimestamp("expires_at");
        return new Memory(
                rs.getObject("id", UUID.class),
                rs.getString("content"),
                Arrays.asList((String[]) tags.getArray()),
                rs.getDouble("importance"),
                json.readValue(rs.getString("metadata"), new TypeReference<Map<String, Object>>() {}),
                rs.getString("agent_id"),
                rs.getString("session_id"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant(),
                expires == null ? null : expires.toInstant());
    }
}
