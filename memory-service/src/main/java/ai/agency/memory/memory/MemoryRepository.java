package ai.agency.memory.memory;

import com.pgvector.PGvector;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** SQL over {@code memory.memories}; every statement is scoped by user id. */
@Repository
public class MemoryRepository {

    public static final String COLUMNS =
            "id, content, tags, importance, metadata::text AS metadata, agent_id, session_id, created_at, updated_at, expires_at";

    /** Rows fetched per round trip when streaming (a cursor: needs a transaction, see {@link MemoryExport}). */
    static final int FETCH_SIZE = 500;

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final int graphThreshold;

    /**
     * Whether a new memory joins the HNSW graph: when the threshold is 0 (every caller searched through the graph)
     * or its owner already has memories there (a big caller, see {@link #callersToMoveIntoTheGraph}).
     */
    private static final String JOINS_GRAPH = "(CAST(:graphThreshold AS integer) = 0 OR EXISTS "
            + "(SELECT 1 FROM memories g WHERE g.user_id = :u AND g.in_graph))";

    MemoryRepository(JdbcClient jdbc, JsonMapper json, ai.agency.memory.MemoryProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.graphThreshold = properties.search().exactScanMaxRows();
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
            @Nullable Instant expiresAt) {}

    public Optional<Memory> findByHash(UUID userId, @Nullable String agentId, @Nullable String sessionId, String hash) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM memories WHERE user_id = :u AND coalesce(agent_id, '') = :a "
                        + "AND coalesce(session_id, '') = :s AND content_hash = :h")
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .param("h", hash)
                .query(this::map)
                .optional();
    }

    /**
     * Removes expired copies of these texts in this scope (so they can be stored anew) and returns the live
     * memories among them, by content hash — one statement.
     */
    public Map<String, Memory> findLiveByHashesDroppingExpired(
            UUID userId, @Nullable String agentId, @Nullable String sessionId, List<String> hashes) {
        String scope = "user_id = :u AND coalesce(agent_id, '') = :a AND coalesce(session_id, '') = :s "
                + "AND content_hash = ANY(:h)";
        Map<String, Memory> byHash = new java.util.HashMap<>();
        jdbc.sql("WITH expired AS (DELETE FROM memories WHERE " + scope + " AND expires_at <= now()) "
                        + "SELECT " + COLUMNS + ", content_hash FROM memories WHERE " + scope
                        + " AND (expires_at IS NULL OR expires_at > now())")
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .param("h", hashes.toArray(String[]::new))
                .query(rs -> {
                    byHash.put(rs.getString("content_hash"), map(rs, 0));
                });
        return byHash;
    }

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
                                                  tags, importance, metadata, expires_at, in_graph)
                            SELECT r.id, :u, CAST(:a AS text), CAST(:s AS text), r.c, r.h, CAST(r.e AS vector),
                                   CAST(:tags AS text[]), :imp, CAST(:meta AS jsonb), CAST(:exp AS timestamptz), %s
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
                .param("ids", memories.stream().map(m -> UUID.randomUUID()).toArray(UUID[]::new))
                .param("cs", memories.stream().map(NewMemory::content).toArray(String[]::new))
                .param("hs", memories.stream().map(NewMemory::contentHash).toArray(String[]::new))
                .param(
                        "es",
                        memories.stream().map(m -> vectorLiteral(m.embedding())).toArray(String[]::new))
                .param("actor", actor)
                .query(rs -> {
                    inserted.put(rs.getString("content_hash"), rs.getObject("id", UUID.class));
                });
        return inserted;
    }

    /** Inserts; empty when the same text already exists in that scope (a concurrent add won). */
    public Optional<UUID> insert(NewMemory m) {
        UUID id = UUID.randomUUID();
        int rows = jdbc.sql("""
                        INSERT INTO memories (id, user_id, agent_id, session_id, content, content_hash, embedding,
                                              tags, importance, metadata, expires_at, in_graph)
                        VALUES (:id, :u, :a, :s, :c, :h, :e, :tags, :imp, CAST(:meta AS jsonb), :exp, %s)
                        ON CONFLICT DO NOTHING""".formatted(JOINS_GRAPH))
                .param("graphThreshold", graphThreshold)
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

    /** The memories the user holds (expired ones not yet purged included): the memories_total quota's count. */
    public long countOf(UUID userId) {
        return jdbc.sql("SELECT count(*) FROM memories WHERE user_id = :u")
                .param("u", userId)
                .query(Long.class)
                .single();
    }

    public boolean delete(UUID userId, UUID id) {
        return jdbc.sql("DELETE FROM memories WHERE user_id = :u AND id = :id")
                        .param("u", userId)
                        .param("id", id)
                        .update()
                == 1;
    }

    /** A memory and its cosine similarity to a vector. */
    public record Similar(Memory memory, double similarity) {}

    /** The memory of this scope most similar to {@code vector}, if at least {@code minSimilarity}. */
    public Optional<Similar> mostSimilar(
            UUID userId, @Nullable String agentId, @Nullable String sessionId, float[] vector, double minSimilarity) {
        jdbc.sql("SET LOCAL hnsw.iterative_scan = relaxed_order").update();
        return jdbc.sql("SELECT " + COLUMNS + ", 1 - (embedding <=> :v) AS similarity FROM memories "
                        + "WHERE user_id = :u AND coalesce(agent_id, '') = :a AND coalesce(session_id, '') = :s "
                        + "AND (expires_at IS NULL OR expires_at > now()) ORDER BY embedding <=> :v LIMIT 1")
                .param("v", new PGvector(vector))
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .query((rs, n) -> new Similar(map(rs, n), rs.getDouble("similarity")))
                .optional()
                .filter(similar -> similar.similarity() >= minSimilarity);
    }

    public void updateText(UUID userId, UUID id, String text, String hash, float[] vector) {
        jdbc.sql("UPDATE memories SET content = :c, content_hash = :h, embedding = :e, updated_at = now() "
                        + "WHERE user_id = :u AND id = :id")
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

    /** A page of the user's live memories, newest first, after the keyset position {@code (createdAt, id)}. */
    public List<Memory> page(
            UUID userId,
            ai.agency.memory.filter.MemoryFilters.Sql filters,
            @Nullable Instant afterCreated,
            @Nullable UUID afterId,
            int limit) {
        var spec = jdbc.sql("SELECT " + COLUMNS + " FROM memories WHERE user_id = :u "
                        + "AND (expires_at IS NULL OR expires_at > now())" + filters.where()
                        + (afterCreated == null ? "" : " AND (created_at, id) < (:ac, :ai)")
                        + " ORDER BY created_at DESC, id DESC LIMIT :limit")
                .param("u", userId)
                .param("limit", limit);
        if (afterCreated != null) {
            spec = spec.param("ac", Timestamp.from(afterCreated)).param("ai", afterId);
        }
        return filters.bind(spec).query(this::map).list();
    }

    /**
     * Streams every memory of the user, oldest first, from a cursor ({@link #FETCH_SIZE} rows at a time, so only
     * inside a transaction): the live ones, or all of them, expired ones not yet purged included.
     */
    public void forEach(UUID userId, boolean withExpired, java.util.function.Consumer<Memory> consumer) {
        jdbc.sql("SELECT " + COLUMNS + " FROM memories WHERE user_id = :u "
                        + (withExpired ? "" : "AND (expires_at IS NULL OR expires_at > now()) ")
                        + "ORDER BY created_at, id")
                .withFetchSize(FETCH_SIZE)
                .param("u", userId)
                .query(rs -> {
                    consumer.accept(map(rs, 0));
                });
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

    /**
     * How many memories are stored (all users, expired ones not yet purged included): counted exactly up to
     * {@code exactUpTo} rows; above that, PostgreSQL's own estimate ({@code pg_class.reltuples}, kept current by
     * autovacuum and analyze), because counting is a full scan (~0.1 s per 100k rows).
     */
    public long countAll(long exactUpTo) {
        return jdbc.sql("SELECT CASE WHEN reltuples > :exact THEN reltuples::bigint "
                        + "ELSE (SELECT count(*) FROM memories) END FROM pg_class WHERE oid = 'memories'::regclass")
                .param("exact", exactUpTo)
                .query(Long.class)
                .single();
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
