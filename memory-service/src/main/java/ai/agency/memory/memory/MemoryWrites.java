package ai.agency.memory.memory;

import com.pgvector.PGvector;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

/**
 * The statements that change {@code memory.memories}: inserts (with their {@code ADD} history rows), updates,
 * deletes, erasure, the expiry purge and the moves into the HNSW graph; every one scoped by user id (or by expiry).
 * Reads are {@link MemoryRepository}'s.
 */
@Repository
public class MemoryWrites {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final int graphThreshold;
    /** The model whose vectors this service makes, recorded with each vector it writes. */
    private final String embeddingModel;

    /**
     * Whether a new memory joins the HNSW graph: when the threshold is 0 (every caller searched through the graph)
     * or its owner already has memories there (a big caller, see {@link #callersToMoveIntoTheGraph}).
     */
    private static final String JOINS_GRAPH = "(CAST(:graphThreshold AS integer) = 0 OR EXISTS "
            + "(SELECT 1 FROM memories g WHERE g.user_id = :u AND g.in_graph))";

    MemoryWrites(JdbcClient jdbc, JsonMapper json, ai.agency.memory.MemoryProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.graphThreshold = properties.search().exactScanMaxRows();
        this.embeddingModel = properties.embeddingModel();
    }

    /** What an erasure removed. */
    public record Erasure(int memories, int history) {}

    /** A memory to insert. */
    public record NewMemory(
            UUID userId,
            @Nullable String agentId,
            @Nullable String sessionId,
            String content,
            String contentHash,
            float[] embedding,
            List<String> tags,
            double importance,
            Map<String, Object> metadata,
            @Nullable Instant expiresAt,
            @Nullable Instant validFrom) {}

    /**
     * Inserts the memories and their {@code ADD} history rows in one statement (all share user, scope, tags,
     * importance, metadata and expiry); returns the ids by content hash of those inserted — a text that a
     * concurrent add stored first is skipped.
     */
    public Map<String, UUID> insertAll(List<NewMemory> memories, UUID actor) {
        NewMemory first = memories.getFirst();
        Map<String, UUID> inserted = new java.util.HashMap<>();
        jdbc.sql("""
                        WITH added AS (
                            INSERT INTO memories (id, user_id, agent_id, session_id, content, content_hash, embedding,
                                                  tags, importance, metadata, expires_at, in_graph, valid_from,
                                                  embedding_model)
                            SELECT r.id, :u, CAST(:a AS text), CAST(:s AS text), r.c, r.h, CAST(r.e AS vector),
                                   CAST(:tags AS text[]), :imp, CAST(:meta AS jsonb), CAST(:exp AS timestamptz), %s,
                                   coalesce(CAST(:vf AS timestamptz), now()), :model
                            FROM unnest(CAST(:ids AS uuid[]), CAST(:cs AS text[]), CAST(:hs AS text[]),
                                        CAST(:es AS text[])) WITH ORDINALITY AS r(id, c, h, e, n)
                            ORDER BY r.n
                            ON CONFLICT DO NOTHING
                            RETURNING id, content, content_hash
                        ), history AS (
                            INSERT INTO memory_history (memory_id, user_id, event, old_memory, new_memory, actor)
                            SELECT id, :u, 'ADD', NULL, content, :actor FROM added
                        )
                        SELECT id, content_hash FROM added""".formatted(JOINS_GRAPH))
                .param("graphThreshold", graphThreshold)
                .param("u", first.userId())
                .param("a", first.agentId(), java.sql.Types.VARCHAR)
                .param("s", first.sessionId(), java.sql.Types.VARCHAR)
                .param("tags", first.tags().toArray(String[]::new))
                .param("imp", first.importance())
                .param("meta", json.writeValueAsString(first.metadata()))
                .param(
                        "exp",
                        first.expiresAt() == null ? null : Timestamp.from(first.expiresAt()),
                        java.sql.Types.TIMESTAMP)
                .param(
                        "vf",
                        first.validFrom() == null ? null : Timestamp.from(first.validFrom()),
                        java.sql.Types.TIMESTAMP)
                .param("ids", memories.stream().map(m -> UUID.randomUUID()).toArray(UUID[]::new))
                .param("cs", memories.stream().map(NewMemory::content).toArray(String[]::new))
                .param("hs", memories.stream().map(NewMemory::contentHash).toArray(String[]::new))
                .param(
                        "es",
                        memories.stream().map(m -> vectorLiteral(m.embedding())).toArray(String[]::new))
                .param("actor", actor)
                .param("model", embeddingModel)
                .query(rs -> {
                    inserted.put(rs.getString("content_hash"), rs.getObject("id", UUID.class));
                });
        return inserted;
    }

    /** pgvector's text form of a vector, {@code [0.1,0.2,...]}. */
    static String vectorLiteral(float[] vector) {
        StringBuilder text = new StringBuilder(vector.length * 12).append('[');
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append(vector[i]);
        }
        return text.append(']').toString();
    }

    public boolean delete(UUID userId, UUID id) {
        return jdbc.sql("DELETE FROM memories WHERE user_id = :u AND id = :id")
                        .param("u", userId)
                        .param("id", id)
                        .update()
                == 1;
    }

    public void updateText(UUID userId, UUID id, String text, String hash, float[] vector) {
        jdbc.sql("UPDATE memories SET content = :c, content_hash = :h, embedding = :e, embedding_model = :model, "
                        + "updated_at = now() WHERE user_id = :u AND id = :id")
                .param("model", embeddingModel)
                .param("c", text)
                .param("h", hash)
                .param("e", new PGvector(vector))
                .param("u", userId)
                .param("id", id)
                .update();
    }

    public void updateAttributes(UUID userId, UUID id, PatchMemoryRequest patch) {
        jdbc.sql("""
                        UPDATE memories SET
                            tags = coalesce(:tags, tags),
                            importance = coalesce(:imp, importance),
                            metadata = coalesce(CAST(:meta AS jsonb), metadata),
                            expires_at = coalesce(:exp, expires_at),
                            updated_at = now()
                        WHERE user_id = :u AND id = :id""")
                .param("tags", patch.tags() == null ? null : patch.tags().toArray(String[]::new), java.sql.Types.ARRAY)
                .param("imp", patch.importance(), java.sql.Types.DOUBLE)
                .param(
                        "meta",
                        patch.metadata() == null ? null : json.writeValueAsString(patch.metadata()),
                        java.sql.Types.VARCHAR)
                .param(
                        "exp",
                        patch.expiresAt() == null ? null : Timestamp.from(patch.expiresAt()),
                        java.sql.Types.TIMESTAMP)
                .param("u", userId)
                .param("id", id)
                .update();
    }

    /** A memory closed by a newer one: its id and text. */
    public record Closed(UUID id, String memory) {}

    /**
     * Closes those of {@code older} that still hold and start no later than {@code newer}: each gets
     * {@code invalid_at} = the newer memory's {@code valid_from} and {@code superseded_by} = its id, and a
     * {@code SUPERSEDE} history row naming it (one statement). Returns the memories closed.
     */
    public List<Closed> close(UUID userId, UUID newer, List<UUID> older, UUID actor) {
        return jdbc.sql("""
                        WITH newer AS (
                            SELECT id, valid_from FROM memories WHERE user_id = :u AND id = :newer
                        ), closed AS (
                            UPDATE memories m SET invalid_at = n.valid_from, superseded_by = n.id, updated_at = now()
                            FROM newer n
                            WHERE m.user_id = :u AND m.id = ANY(:older) AND m.id <> n.id AND m.invalid_at IS NULL
                              AND m.valid_from <= n.valid_from
                            RETURNING m.id, m.content
                        ), history AS (
                            INSERT INTO memory_history (memory_id, user_id, event, old_memory, actor, superseded_by)
                            SELECT id, :u, 'SUPERSEDE', content, :actor, :newer FROM closed
                        )
                        SELECT id, content FROM closed""")
                .param("u", userId)
                .param("newer", newer)
                .param("older", older.toArray(UUID[]::new))
                .param("actor", actor)
                .query((rs, n) -> new Closed(rs.getObject("id", UUID.class), rs.getString("content")))
                .list();
    }

    /** Deletes the user's memories (narrowed by agent/session) and their history; returns how many of each. */
    public Erasure eraseAll(UUID userId, @Nullable String agentId, @Nullable String sessionId) {
        List<@Nullable UUID> ids = jdbc.sql("DELETE FROM memories WHERE user_id = :u "
                        + "AND (CAST(:a AS text) IS NULL OR agent_id = :a) AND (CAST(:s AS text) IS NULL OR session_id = :s) "
                        + "RETURNING id")
                .param("u", userId)
                .param("a", agentId)
                .param("s", sessionId)
                .query(UUID.class)
                .list();
        int history = 0;
        if (agentId == null && sessionId == null) {
            history = jdbc.sql("DELETE FROM memory_history WHERE user_id = :u")
                    .param("u", userId)
                    .update();
        } else if (!ids.isEmpty()) {
            history = jdbc.sql("DELETE FROM memory_history WHERE user_id = :u AND memory_id = ANY(:ids)")
                    .param("u", userId)
                    .param("ids", ids.toArray(UUID[]::new))
                    .update();
        }
        return new Erasure(ids.size(), history);
    }

    /**
     * Callers with more than {@code exact-scan-max-rows} live memories of which some are not in the HNSW graph yet
     * (they crossed the threshold, or it was lowered): their search uses the exact scan until all are moved in.
     */
    @SuppressWarnings("NullAway") // user_id is NOT NULL: the list holds no null
    public List<UUID> callersToMoveIntoTheGraph() {
        return jdbc.sql("SELECT user_id FROM memories WHERE expires_at IS NULL OR expires_at > now() "
                        + "GROUP BY user_id HAVING count(*) > :t AND bool_or(NOT in_graph)")
                .param("t", graphThreshold)
                .query(UUID.class)
                .list();
    }

    /** Moves up to {@code batch} of the caller's memories into the HNSW graph; returns how many. */
    public int moveIntoTheGraph(UUID userId, int batch) {
        // "AND NOT in_graph" again outside: a second instance moving the same rows concurrently skips them once the
        // first has committed, instead of writing them (and their graph entries) twice
        return jdbc.sql("UPDATE memories SET in_graph = true WHERE id IN "
                        + "(SELECT id FROM memories WHERE user_id = :u AND NOT in_graph LIMIT :batch) AND NOT in_graph")
                .param("u", userId)
                .param("batch", batch)
                .update();
    }

    /**
     * Deletes up to {@code batch} expired memories (history rows record the expiry, without the text); returns how
     * many each user lost, so that the caller can report them as removals in the same transaction.
     */
    public Map<UUID, Integer> purgeExpired(int batch) {
        Map<UUID, Integer> byUser = new LinkedHashMap<>();
        jdbc.sql("""
                        WITH purged AS (
                            DELETE FROM memories WHERE id IN (SELECT id FROM memories WHERE expires_at <= now() LIMIT :batch)
                            RETURNING id, user_id
                        ), scrubbed AS (
                            UPDATE memory_history h SET old_memory = NULL, new_memory = NULL
                            FROM purged p WHERE h.memory_id = p.id AND h.user_id = p.user_id
                        ), recorded AS (
                            INSERT INTO memory_history (memory_id, user_id, event)
                            SELECT id, user_id, 'EXPIRE' FROM purged
                            RETURNING user_id
                        )
                        SELECT user_id, count(*) AS n FROM recorded GROUP BY user_id""").param("batch", batch).query(rs -> {
            byUser.put(rs.getObject("user_id", UUID.class), rs.getInt("n"));
        });
        return byUser;
    }
}
