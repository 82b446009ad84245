package ai.agency.gateway.session;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Collaboration sessions, their participants, pending invitations and shared context (schema {@code gateway}). */
@Repository
class SessionRepository {

    record Row(UUID id, String purpose, UUID createdBy, String context, Instant createdAt, Instant updatedAt) {}

    private final JdbcClient jdbc;

    SessionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the session with its creator as the only participant and {@code invited} as pending invitations. */
    void create(UUID id, String purpose, UUID createdBy, Collection<UUID> invited) {
        jdbc.sql("INSERT INTO collab_sessions (id, purpose, created_by) VALUES (?, ?, ?)")
                .params(id, purpose, createdBy)
                .update();
        jdbc.sql("INSERT INTO collab_participants (session_id, user_id) VALUES (?, ?)")
                .params(id, createdBy)
                .update();
        for (UUID user : invited) {
            jdbc.sql("INSERT INTO collab_invitations (session_id, user_id, invited_by) VALUES (?, ?, ?)"
                            + " ON CONFLICT DO NOTHING")
                    .params(id, user, createdBy)
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

    @SuppressWarnings("NullAway") // user_id is NOT NULL: the list holds no null
    List<UUID> participants(UUID sessionId) {
        return jdbc.sql("SELECT user_id FROM collab_participants WHERE session_id = ? ORDER BY joined_at, user_id")
                .param(sessionId)
                .query(UUID.class)
                .list();
    }

    @SuppressWarnings("NullAway") // user_id is NOT NULL: the list holds no null
    List<UUID> invited(UUID sessionId) {
        return jdbc.sql("SELECT user_id FROM collab_invitations WHERE session_id = ? ORDER BY invited_at, user_id")
                .param(sessionId)
                .query(UUID.class)
                .list();
    }

    boolean isInvited(UUID sessionId, UUID userId) {
        return jdbc.sql("SELECT count(*) FROM collab_invitations WHERE session_id = ? AND user_id = ?")
                        .params(sessionId, userId)
                        .query(Long.class)
                        .single()
                > 0;
    }

    /**
     * Turns the user's invitation into participation; false when there was no invitation (or no session). The
     * session's row is locked first (against a concurrent delete, which locks it before the invitations), so the two
     * take their locks in the same order and cannot deadlock.
     */
    boolean accept(UUID sessionId, UUID userId) {
        boolean exists = jdbc.sql("SELECT id FROM collab_sessions WHERE id = ? FOR KEY SHARE")
                .param(sessionId)
                .query(UUID.class)
                .optional()
                .isPresent();
        return exists
                && jdbc.sql("WITH accepted AS (DELETE FROM collab_invitations WHERE session_id = ? AND user_id = ?"
                                        + " RETURNING session_id, user_id)"
                                        + " INSERT INTO collab_participants (session_id, user_id)"
                                        + " SELECT session_id, user_id FROM accepted ON CONFLICT DO NOTHING")
                                .params(sessionId, userId)
                                .update()
                        == 1;
    }

    /** Drops the user's invitation; false when there was none. */
    boolean decline(UUID sessionId, UUID userId) {
        return jdbc.sql("DELETE FROM collab_invitations WHERE session_id = ? AND user_id = ?")
                        .params(sessionId, userId)
                        .update()
                == 1;
    }

    /** Deletes the session with its context, participants and invitations; false when it was gone already. */
    boolean delete(UUID sessionId) {
        return jdbc.sql("DELETE FROM collab_sessions WHERE id = ?")
                        .param(sessionId)
                        .update()
                == 1;
    }

    /**
     * Merges {@code context} (top-level keys) into the session's shared context, and {@code authors} (each of its keys
     * → the user who wrote it) into {@code context_authors}, unless the result's JSON text would
     * be longer than {@code maxBytes}; the check and the write are one statement, so concurrent shares cannot pass
     * the limit together. False when nothing was written (too large, or the session is gone).
     */
    boolean mergeContext(UUID sessionId, String context, String authors, long maxBytes) {
        return jdbc.sql("UPDATE collab_sessions SET context = context || ?::jsonb,"
                                + " context_authors = context_authors || ?::jsonb, updated_at = ?"
                                + " WHERE id = ? AND octet_length((context || ?::jsonb)::text) <= ?")
                        .params(context, authors, Timestamp.from(Instant.now()), sessionId, context, maxBytes)
                        .update()
                == 1;
    }

    /**
     * The user's sessions and pending invitations, newest session first, after the position {@code (createdAt, id)}
     * when it is given.
     */
    List<SessionService.Listed> listFor(
            UUID userId, @Nullable Instant afterCreatedAt, @Nullable UUID afterId, int limit) {
        String sql = "SELECT s.id, s.purpose, s.created_by, s.created_at, m.membership, m.since FROM ("
                + " SELECT session_id, 'participant' AS membership, joined_at AS since FROM collab_participants"
                + " WHERE user_id = :user"
                + " UNION ALL"
                + " SELECT session_id, 'invited', invited_at FROM collab_invitations WHERE user_id = :user) m"
                + " JOIN collab_sessions s ON s.id = m.session_id"
                + (afterId == null ? "" : " WHERE (s.created_at, s.id) < (:afterCreatedAt, :afterId)")
                + " ORDER BY s.created_at DESC, s.id DESC LIMIT :limit";
        JdbcClient.StatementSpec statement = jdbc.sql(sql).param("user", userId).param("limit", limit);
        if (afterId != null) {
            statement = statement
                    .param("afterCreatedAt", Timestamp.from(afterCreatedAt))
                    .param("afterId", afterId);
        }
        return statement.query(SessionRepository::listed).list();
    }

    private static SessionService.Listed listed(ResultSet rs, int row) throws SQLException {
        return new SessionService.Listed(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getObject(3, UUID.class),
                rs.getTimestamp(4).toInstant(),
                rs.getString(5),
                rs.getTimestamp(6).toInstant());
    }
}
