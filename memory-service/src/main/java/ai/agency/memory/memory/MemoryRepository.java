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
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads of {@code memory.memories} (and the dedup lookups of an add); every statement is scoped by user id. The
 * statements that change memories are {@link MemoryWrites}'.
 */
@Repository
public class MemoryRepository {

    public static final String COLUMNS =
            "id, content, tags, importance, metadata::text AS metadata, agent_id, session_id, created_at, updated_at, expires_at, "
                    + "valid_from, invalid_at, superseded_by";

    /** Rows fetched per round trip when streaming (a cursor: needs a transaction, see {@link MemoryExport}). */
    static final int FETCH_SIZE = 500;

    private final JdbcClient jdbc;
    private final JsonMapper json;
    /** Vectors of other models (waiting to be re-embedded) are never compared with this model's. */
    private final String embeddingModel;

    MemoryRepository(JdbcClient jdbc, JsonMapper json, ai.agency.memory.MemoryProperties properties) {
        this.jdbc = jdbc;
        this.json = json;
        this.embeddingModel = properties.embeddingModel();
    }

    /** The memory of this scope with this text that still holds (a closed one may share it). */
    public Optional<Memory> findByHash(UUID userId, @Nullable String agentId, @Nullable String sessionId, String hash) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM memories WHERE user_id = :u AND coalesce(agent_id, '') = :a "
                        + "AND coalesce(session_id, '') = :s AND content_hash = :h AND invalid_at IS NULL")
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
                        + " AND (expires_at IS NULL OR expires_at > now()) AND invalid_at IS NULL")
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .param("h", hashes.toArray(String[]::new))
                .query(rs -> {
                    byHash.put(rs.getString("content_hash"), map(rs, 0));
                });
        return byHash;
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

    /** A memory and its cosine similarity to a vector. */
    public record Similar(Memory memory, double similarity) {}

    /**
     * The memory of this scope that still holds (not closed by a newer one) most similar to {@code vector}, if at
     * least {@code minSimilarity}.
     */
    public Optional<Similar> mostSimilar(
            UUID userId, @Nullable String agentId, @Nullable String sessionId, float[] vector, double minSimilarity) {
        jdbc.sql("SET LOCAL hnsw.iterative_scan = relaxed_order").update();
        return jdbc.sql("SELECT " + COLUMNS + ", 1 - (embedding <=> :v) AS similarity FROM memories "
                        + "WHERE user_id = :u AND coalesce(agent_id, '') = :a AND coalesce(session_id, '') = :s "
                        + "AND (expires_at IS NULL OR expires_at > now()) AND invalid_at IS NULL "
                        + "AND embedding_model = :model ORDER BY embedding <=> :v LIMIT 1")
                .param("v", new PGvector(vector))
                .param("model", embeddingModel)
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .query((rs, n) -> new Similar(map(rs, n), rs.getDouble("similarity")))
                .optional()
                .filter(similar -> similar.similarity() >= minSimilarity);
    }

    /**
     * The memories of this scope that still hold, up to {@code perVector} nearest to each vector, nearest first,
     * without repeats: what a new fact may supersede, shown to the LLM.
     */
    public List<Memory> nearestCurrent(
            UUID userId, @Nullable String agentId, @Nullable String sessionId, List<float[]> vectors, int perVector) {
        java.util.LinkedHashMap<UUID, Memory> nearest = new java.util.LinkedHashMap<>();
        for (float[] vector : vectors) {
            jdbc.sql("SELECT " + COLUMNS + " FROM memories "
                            + "WHERE user_id = :u AND coalesce(agent_id, '') = :a AND coalesce(session_id, '') = :s "
                            + "AND (expires_at IS NULL OR expires_at > now()) AND invalid_at IS NULL "
                            + "AND embedding_model = :model ORDER BY (embedding <=> :v) + 0 LIMIT :k")
                    .param("v", new PGvector(vector))
                    .param("model", embeddingModel)
                    .param("u", userId)
                    .param("a", agentId == null ? "" : agentId)
                    .param("s", sessionId == null ? "" : sessionId)
                    .param("k", perVector)
                    .query(this::map)
                    .list()
                    .forEach(m -> nearest.putIfAbsent(m.id(), m));
        }
        return List.copyOf(nearest.values());
    }

    /** Whether this scope holds any live memory that still holds (so that a new fact could supersede one). */
    public boolean anyCurrent(UUID userId, @Nullable String agentId, @Nullable String sessionId) {
        return jdbc.sql("SELECT EXISTS (SELECT 1 FROM memories WHERE user_id = :u AND coalesce(agent_id, '') = :a "
                        + "AND coalesce(session_id, '') = :s AND (expires_at IS NULL OR expires_at > now()) "
                        + "AND invalid_at IS NULL)")
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .query(Boolean.class)
                .single();
    }

    /**
     * The live memories of this scope, closed ones included, whose metadata names this {@code entity} and
     * {@code attribute} (the GIN index on metadata serves the containment test), earliest {@code validFrom} first.
     */
    public List<Memory> sameAttribute(
            UUID userId, @Nullable String agentId, @Nullable String sessionId, String entity, String attribute) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM memories "
                        + "WHERE user_id = :u AND coalesce(agent_id, '') = :a AND coalesce(session_id, '') = :s "
                        + "AND (expires_at IS NULL OR expires_at > now()) "
                        + "AND metadata @> CAST(:meta AS jsonb) ORDER BY valid_from, created_at, id")
                .param("u", userId)
                .param("a", agentId == null ? "" : agentId)
                .param("s", sessionId == null ? "" : sessionId)
                .param("meta", json.writeValueAsString(Map.of("entity", entity, "attribute", attribute)))
                .query(this::map)
                .list();
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
        Timestamp invalid = rs.getTimestamp("invalid_at");
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
                expires == null ? null : expires.toInstant(),
                rs.getTimestamp("valid_from").toInstant(),
                invalid == null ? null : invalid.toInstant(),
                rs.getObject("superseded_by", UUID.class));
    }
}
