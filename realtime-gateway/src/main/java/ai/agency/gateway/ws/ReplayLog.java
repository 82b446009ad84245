package ai.agency.gateway.ws;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Every frame sent on a connection, by connection id and seq, for {@code resume} on any replica. */
@Repository
public class ReplayLog {

    /** One logged frame. */
    public record Frame(long seq, String payload) {}

    private final JdbcClient jdbc;

    ReplayLog(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void append(UUID connectionId, UUID userId, long seq, String payload) {
        jdbc.sql("INSERT INTO ws_frames (connection_id, seq, user_id, payload) VALUES (?, ?, ?, ?)")
                .params(connectionId, seq, userId, payload)
                .update();
    }

    /** The lowest seq still kept for the user's connection, empty when nothing is kept (unknown, expired, other user). */
    Optional<Long> firstSeq(UUID connectionId, UUID userId) {
        return jdbc.sql("SELECT min(seq) FROM ws_frames WHERE connection_id = ? AND user_id = ?")
                .params(connectionId, userId)
                .query(Long.class)
                .optional();
    }

    List<Frame> after(UUID connectionId, UUID userId, long afterSeq) {
        return jdbc.sql("SELECT seq, payload FROM ws_frames WHERE connection_id = ? AND user_id = ? AND seq > ?"
                        + " ORDER BY seq")
                .params(connectionId, userId, afterSeq)
                .query((rs, i) -> new Frame(rs.getLong(1), rs.getString(2)))
                .list();
    }

    /** A kept frame of the user's, as exported with their account data. */
    record UserFrame(UUID connectionId, long seq, String payload, Instant createdAt) {}

    /** Streams the user's kept frames from a cursor (inside a transaction: {@link ReplayAccountData}). */
    void forEachOf(UUID userId, java.util.function.Consumer<UserFrame> each) {
        jdbc.sql("SELECT connection_id, seq, payload, created_at FROM ws_frames WHERE user_id = ?"
                        + " ORDER BY created_at, connection_id, seq")
                .withFetchSize(500)
                .param(userId)
                .query(rs -> {
                    each.accept(new UserFrame(
                            rs.getObject(1, UUID.class),
                            rs.getLong(2),
                            rs.getString(3),
                            rs.getTimestamp(4).toInstant()));
                });
    }

    /**
     * Deletes the user's frames, and the frames sent to others that name them (the session events they caused:
     * shared context, joins, invitations); a resume of such a connection skips those. How many.
     */
    int eraseOf(UUID userId) {
        return jdbc.sql("DELETE FROM ws_frames WHERE user_id = ? OR strpos(payload, ?) > 0")
                .params(userId, userId.toString())
                .update();
    }

    int purgeOlderThan(Duration ttl) {
        return jdbc.sql("DELETE FROM ws_frames WHERE created_at < ?")
                .param(Timestamp.from(Instant.now().minus(ttl)))
                .update();
    }
}
