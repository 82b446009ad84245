package ai.agency.memory.memory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The history of memories ({@code memory_history}): one row per event (ADD, UPDATE, SUPERSEDE, DELETE, EXPIRE) with
 * the texts before and after, always with the user id; a {@code SUPERSEDE} event (the memory was closed by a newer
 * one) names that memory in {@code supersededBy} and keeps no copy of its text. A deleted memory keeps its events and loses its texts. The statements
 * that change memories and history together (an add with its row, erasure, the expiry purge) stay in {@link
 * MemoryWrites}.
 */
@Repository
public class MemoryHistory {

    private final JdbcClient jdbc;

    MemoryHistory(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** One change of a memory; {@code supersededBy} only on {@code SUPERSEDE} events. */
    public record HistoryEntry(
            String event,
            @Nullable String oldMemory,
            @Nullable String newMemory,
            Instant at,
            @Nullable UUID actor,
            @Nullable UUID supersededBy) {}

    public List<HistoryEntry> entries(UUID userId, UUID memoryId) {
        return jdbc.sql("SELECT event, old_memory, new_memory, at, actor, superseded_by FROM memory_history "
                        + "WHERE user_id = :u AND memory_id = :m ORDER BY at, id")
                .param("u", userId)
                .param("m", memoryId)
                .query((rs, n) -> new HistoryEntry(
                        rs.getString("event"),
                        rs.getString("old_memory"),
                        rs.getString("new_memory"),
                        rs.getTimestamp("at").toInstant(),
                        rs.getObject("actor", UUID.class),
                        rs.getObject("superseded_by", UUID.class)))
                .list();
    }

    /** One history event as exported with the user's account data. */
    public record ExportedEntry(
            long id,
            UUID memoryId,
            String event,
            @Nullable String oldMemory,
            @Nullable String newMemory,
            @Nullable UUID actor,
            Instant at,
            @Nullable UUID supersededBy) {}

    /** Streams the user's history, oldest first, from a cursor (inside a transaction, see {@link MemoryExport}). */
    public void forEach(UUID userId, java.util.function.Consumer<ExportedEntry> consumer) {
        jdbc.sql("SELECT id, memory_id, event, old_memory, new_memory, actor, at, superseded_by FROM memory_history "
                        + "WHERE user_id = :u ORDER BY at, id")
                .withFetchSize(MemoryRepository.FETCH_SIZE)
                .param("u", userId)
                .query(rs -> {
                    consumer.accept(new ExportedEntry(
                            rs.getLong("id"),
                            rs.getObject("memory_id", UUID.class),
                            rs.getString("event"),
                            rs.getString("old_memory"),
                            rs.getString("new_memory"),
                            rs.getObject("actor", UUID.class),
                            rs.getTimestamp("at").toInstant(),
                            rs.getObject("superseded_by", UUID.class)));
                });
    }

    public void record(
            UUID memoryId,
            UUID userId,
            String event,
            @Nullable String oldText,
            @Nullable String newText,
            @Nullable UUID actor) {
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

    /**
     * Removes the texts of a deleted memory from its history: the events stay (what happened, when, by whom), the
     * content goes with the memory.
     */
    public void forgetTexts(UUID userId, UUID memoryId) {
        jdbc.sql(
                        "UPDATE memory_history SET old_memory = NULL, new_memory = NULL "
                                + "WHERE user_id = :u AND memory_id = :m AND (old_memory IS NOT NULL OR new_memory IS NOT NULL)")
                .param("u", userId)
                .param("m", memoryId)
                .update();
    }
}
