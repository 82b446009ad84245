package ai.agency.gateway.session;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The SQL of a user's account data in the session tables and {@code realtime_events} ({@link SessionAccountData}).
 * The reads stream from a cursor ({@link #FETCH_SIZE} rows a round trip), so they run inside a transaction.
 */
@Repository
class SessionAccounts {

    static final int FETCH_SIZE = 200;

    /** A stored realtime event names the user: as a recipient, or as its sender ({@code from}/{@code by}). */
    private static final String NAMES_USER =
            "(payload::jsonb -> 'users' @> to_jsonb(CAST(:u AS text)) OR payload::jsonb -> 'fields' ->> 'from' = :u"
                    + " OR payload::jsonb -> 'fields' ->> 'by' = :u)";

    /** A session the user created, with everything of it. */
    record OwnedSession(
            UUID id,
            String purpose,
            JsonNode context,
            List<UUID> participants,
            List<UUID> invited,
            Instant createdAt,
            Instant updatedAt) {}

    /** The user's part in someone else's session: when they joined, and the context entries they wrote. */
    record Participation(UUID sessionId, UUID createdBy, Instant joinedAt, JsonNode contributed) {}

    /** A pending invitation to or from the user. */
    record Invitation(UUID sessionId, UUID userId, UUID invitedBy, Instant invitedAt) {}

    /** A spilled realtime event naming the user. */
    record StoredEvent(long id, JsonNode payload, Instant createdAt) {}

    private final JdbcClient jdbc;
    private final JsonMapper json;

    SessionAccounts(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    void ownedSessions(UUID user, Consumer<OwnedSession> each) {
        jdbc.sql("""
                        SELECT s.id, s.purpose, s.context::text, s.created_at, s.updated_at,
                               ARRAY(SELECT p.user_id FROM collab_participants p WHERE p.session_id = s.id
                                     ORDER BY p.joined_at, p.user_id) AS participants,
                               ARRAY(SELECT i.user_id FROM collab_invitations i WHERE i.session_id = s.id
                                     ORDER BY i.invited_at, i.user_id) AS invited
                        FROM collab_sessions s WHERE s.created_by = :u ORDER BY s.created_at, s.id""").withFetchSize(FETCH_SIZE).param("u", user).query(rs -> {
            each.accept(new OwnedSession(
                    rs.getObject("id", UUID.class),
                    rs.getString("purpose"),
                    json.readTree(rs.getString("context")),
                    uuids(rs, "participants"),
                    uuids(rs, "invited"),
                    rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("updated_at").toInstant()));
        });
    }

    void participations(UUID user, Consumer<Participation> each) {
        jdbc.sql("""
                        SELECT p.session_id, s.created_by, p.joined_at,
                               (SELECT coalesce(jsonb_object_agg(a.key, s.context -> a.key), '{}'::jsonb)
                                FROM jsonb_each_text(s.context_authors) a
                                WHERE a.value = :u AND (s.context -> a.key) IS NOT NULL)::text AS contributed
                        FROM collab_participants p JOIN collab_sessions s ON s.id = p.session_id
                        WHERE p.user_id = CAST(:u AS uuid) AND s.created_by <> CAST(:u AS uuid)
                        ORDER BY p.joined_at, p.session_id""").withFetchSize(FETCH_SIZE).param("u", user.toString()).query(rs -> {
            each.accept(new Participation(
                    rs.getObject("session_id", UUID.class),
                    rs.getObject("created_by", UUID.class),
                    rs.getTimestamp("joined_at").toInstant(),
                    json.readTree(rs.getString("contributed"))));
        });
    }

    void invitations(UUID user, Consumer<Invitation> each) {
        jdbc.sql("SELECT session_id, user_id, invited_by, invited_at FROM collab_invitations"
                        + " WHERE user_id = :u OR invited_by = :u ORDER BY invited_at, session_id, user_id")
                .withFetchSize(FETCH_SIZE)
                .param("u", user)
                .query(rs -> {
                    each.accept(new Invitation(
                            rs.getObject("session_id", UUID.class),
                            rs.getObject("user_id", UUID.class),
                            rs.getObject("invited_by", UUID.class),
                            rs.getTimestamp("invited_at").toInstant()));
                });
    }

    void events(UUID user, Consumer<StoredEvent> each) {
        jdbc.sql("SELECT id, payload, created_at FROM realtime_events WHERE " + NAMES_USER + " ORDER BY id")
                .withFetchSize(FETCH_SIZE)
                .param("u", user.toString())
                .query(rs -> {
                    each.accept(new StoredEvent(
                            rs.getLong("id"),
                            json.readTree(rs.getString("payload")),
                            rs.getTimestamp("created_at").toInstant()));
                });
    }

    /** The other participants of each session the user created: whom to tell that it ended. */
    @SuppressWarnings("NullAway") // ids are NOT NULL
    Map<UUID, List<UUID>> othersInOwnedSessions(UUID user) {
        Map<UUID, List<UUID>> others = new java.util.LinkedHashMap<>();
        jdbc.sql("SELECT p.session_id, p.user_id FROM collab_participants p JOIN collab_sessions s"
                        + " ON s.id = p.session_id WHERE s.created_by = :u AND p.user_id <> :u")
                .param("u", user)
                .query(rs -> {
                    others.computeIfAbsent(rs.getObject(1, UUID.class), k -> new java.util.ArrayList<>())
                            .add(rs.getObject(2, UUID.class));
                });
        return others;
    }

    /** Deletes the sessions the user created, with their context, participants and invitations. */
    int deleteOwnedSessions(UUID user) {
        return jdbc.sql("DELETE FROM collab_sessions WHERE created_by = :u")
                .param("u", user)
                .update();
    }

    /** Removes the context entries the user wrote from everyone's sessions; how many entries. */
    long scrubContributions(UUID user) {
        return jdbc.sql("""
                        WITH written AS (
                            SELECT s.id, array_agg(a.key) AS keys
                            FROM collab_sessions s, jsonb_each_text(s.context_authors) a
                            WHERE a.value = :u GROUP BY s.id
                        ), scrubbed AS (
                            UPDATE collab_sessions s SET context = s.context - w.keys,
                                context_authors = s.context_authors - w.keys, updated_at = now()
                            FROM written w WHERE s.id = w.id
                            RETURNING cardinality(w.keys) AS n
                        )
                        SELECT coalesce(sum(n), 0) FROM scrubbed""").param("u", user.toString()).query(Long.class).single();
    }

    int deleteParticipations(UUID user) {
        return jdbc.sql("DELETE FROM collab_participants WHERE user_id = :u")
                .param("u", user)
                .update();
    }

    int deleteInvitations(UUID user) {
        return jdbc.sql("DELETE FROM collab_invitations WHERE user_id = :u OR invited_by = :u")
                .param("u", user)
                .update();
    }

    int deleteEvents(UUID user) {
        return jdbc.sql("DELETE FROM realtime_events WHERE " + NAMES_USER)
                .param("u", user.toString())
                .update();
    }

    private static List<UUID> uuids(ResultSet rs, String column) throws SQLException {
        return Arrays.asList((UUID[]) rs.getArray(column).getArray());
    }
}
