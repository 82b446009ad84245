package ai.agency.gateway.session;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Collaboration sessions, their participants and shared context (schema {@code gateway}). */
@Repository
class SessionRepository {

    record Row(UUID id, String purpose, UUID createdBy, String context, Instant createdAt, Instant updatedAt) {}

    private final JdbcClient jdbc;

    SessionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void create(UUID id, String purpose, UUID createdBy, Collection<UUID> participants) {
        jdbc.sql("INSERT INTO collab_sessions (id, purpose, created_by) VALUES (?, ?, ?)")
                .params(id, purpose, createdBy)
                .update();
        for (UUID user : participants) {
            jdbc.sql("INSERT INTO collab_participants (session_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
                    .params(id, user)
                    .update();
        }
    }

    Optional<Row> find(UUID id) {
        return jdbc.sql("SELECT id, purpose, created_by, context::text, created_at, updated_at FROM collab_sessions"
                        + " WHERE id = ?")
                .param(id)
                .query((rs, i) -> new Row(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getObject(3, UUID.class),
                        rs.getString(4),
                        rs.getTimestamp(5).toInstant(),
                        rs.getTimestamp(6).toInstant()))
                .optional();
    }

    List<UUID> participants(UUID sessionId) {
        return jdbc.sql("SELECT user_id FROM collab_participants WHERE session_id = ? ORDER BY joined_at, user_id")
                .param(sessionId)
                .query(UUID.class)
                .list();
    }

    /** Merges {@code context} (top-level keys) into the session's shared context. */
    void mergeContext(UUID sessionId, String context) {
        jdbc.sql("UPDATE collab_sessions SET context = context || ?::jsonb, updated_at = ? WHERE id = ?")
                .params(context, Timestamp.from(Instant.now()), sessionId)
                .update();
    }
}
