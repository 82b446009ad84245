package ai.agency.memory.search;

import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.filter.MemoryFilters;
import ai.agency.memory.memory.Memory;
import ai.agency.memory.memory.MemoryRepository;
import com.pgvector.PGvector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Hybrid search over the caller's memories. Two candidate lists are built in PostgreSQL — dense cosine similarity
 * of MiniLM embeddings through the HNSW index (iterative scans keep filtered searches full), and Okapi BM25 over the
 * full-text index (IDF from the caller's own memories) — and fused with weighted reciprocal rank fusion. Every query
 * carries the caller's user id and the filters as real SQL conditions.
 */
@Service
public class MemorySearch {

    private static final String LIVE = "user_id = :u AND (expires_at IS NULL OR expires_at > now())";

    private final JdbcClient jdbc;
    private final Embedder embedder;
    private final MemoryRepository memories;
    private final MemoryProperties properties;
    private final JsonMapper json;
    private final Timer searchTimer;

    MemorySearch(
            JdbcClient jdbc,
            Embedder embedder,
            MemoryRepository memories,
            MemoryProperties properties,
            JsonMapper json,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.embedder = embedder;
        this.memories = memories;
        this.properties = properties;
        this.json = json;
        this.searchTimer = Timer.builder("agency_memory_search_seconds")
                .description("Memory search latency (embedding + SQL + fusion)")
                .publishPercentileHistogram()
                .register(meters);
    }

    /**
     * One hit. {@code score} is the fused score scaled to 0..1; {@code similarity} the cosine similarity and
     * {@code textScore} the BM25 score, each when the memory was a candidate of that ranking.
     */
    public record Result(
            UUID id,
            String memory,
            double score,
            Double similarity,
            Double textScore,
            List<String> tags,
            double importance,
            Map<String, Object> metadata,
            String agentId,
            String sessionId,
            Instant createdAt,
            Instant updatedAt) {}

    public record SearchResponse(List<Result> results) {}

    @Transactional(readOnly = true)
    public SearchResponse run(UUID owner, SearchRequest request) {
        return searchTimer.record(() -> search(owner, request));
    }

    private SearchResponse search(UUID userId, SearchRequest request) {
        MemoryFilters.Sql filters = request.filtersOrNone().toSql(json);
        int limit = request.limitOrDefault();
        int candidates = Math.max(limit, properties.search().candidates());
        String mode = request.modeOrDefault();
        MemoryProperties.Search tuning = properties.search();

        Map<UUID, Double> similarity = new HashMap<>();
        List<UUID> dense = List.of();
        if (!mode.equals("text") || request.threshold() != null) {
            dense = dense(userId, request.query(), filters, candidates, similarity);
        }
        Map<UUID, Double> textScores = new HashMap<>();
        List<UUID> text =
                mode.equals("dense") ? List.of() : bm25(userId, request.query(), filters, candidates, textScores);

        Map<UUID, Double> fused = new LinkedHashMap<>();
        double denseWeight = mode.equals("text") ? 0 : tuning.denseWeight();
        double textWeight = mode.equals("dense") ? 0 : tuning.textWeight();
        for (int i = 0; i < dense.size() && denseWeight > 0; i++) {
            fused.merge(dense.get(i), denseWeight / (tuning.rrfK() + i + 1), Double::sum);
        }
        for (int i = 0; i < text.size(); i++) {
            fused.merge(text.get(i), textWeight / (tuning.rrfK() + i + 1), Double::sum);
        }
        double best = (denseWeight + textWeight) / (tuning.rrfK() + 1);
        List<Map.Entry<UUID, Double>> ranked = fused.entrySet().stream()
                .filter(e ->
                        request.threshold() == null || similarity.getOrDefault(e.getKey(), -1.0) >= request.threshold())
                .sorted(Map.Entry.<UUID, Double>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .toList();
        if (ranked.isEmpty()) {
            return new SearchResponse(List.of());
        }
        Map<UUID, Memory> rows = new HashMap<>();
        memories.findAll(userId, ranked.stream().map(Map.Entry::getKey).toList())
                .forEach(m -> rows.put(m.id(), m));
        List<Result> results = new ArrayList<>();
        for (var entry : ranked) {
            Memory m = rows.get(entry.getKey());
            if (m != null) {
                results.add(new Result(
                        m.id(),
                        m.memory(),
                        best > 0 ? entry.getValue() / best : 0,
                        similarity.get(m.id()),
                        textScores.get(m.id()),
                        m.tags(),
                        m.importance(),
                        m.metadata(),
                        m.agentId(),
                        m.sessionId(),
                        m.createdAt(),
                        m.updatedAt()));
            }
        }
        return new SearchResponse(results);
    }

    private List<UUID> dense(
            UUID userId, String query, MemoryFilters.Sql filters, int candidates, Map<UUID, Double> similarity) {
        float[] vector = embedder.embedQuery(query);
        jdbc.sql("SET LOCAL hnsw.iterative_scan = relaxed_order").update();
        jdbc.sql("SET LOCAL hnsw.ef_search = " + Math.max(40, candidates)).update();
        var spec = jdbc.sql("SELECT id, 1 - (embedding <=> :q) AS similarity FROM memories WHERE " + LIVE
                        + filters.where() + " ORDER BY embedding <=> :q LIMIT :k")
                .param("q", new PGvector(vector))
                .param("u", userId)
                .param("k", candidates);
        List<UUID> ids = new ArrayList<>();
        filters.bind(spec)
                .query((rs, n) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    similarity.put(id, rs.getDouble("similarity"));
                    ids.add(id);
                    return id;
                })
                .list();
        return ids;
    }

    /**
     * Okapi BM25 in SQL: the query's lexemes (English stemming, stop words removed) are OR-ed to find candidates
     * through the GIN index; IDF comes from the caller's own live memories.
     */
    private List<UUID> bm25(
            UUID userId, String query, MemoryFilters.Sql filters, int candidates, Map<UUID, Double> scores) {
        MemoryProperties.Search tuning = properties.search();
        var spec = jdbc.sql("""
                        WITH terms AS (
                            SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', :query))
                        ), tsq AS (
                            SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q FROM terms
                        ), stats AS (
                            SELECT count(*) AS n,
                                   greatest(avg((SELECT sum(coalesce(array_length(t.positions, 1), 1)) FROM unnest(tsv) t)), 1) AS avgdl
                            FROM memories WHERE %1$s
                        ), df AS (
                            SELECT t.lexeme, (SELECT count(*) FROM memories m
                                              WHERE %2$s AND m.tsv @@ quote_literal(t.lexeme)::tsquery) AS df
                            FROM terms t
                        ), candidates AS (
                            SELECT id, tsv FROM memories, tsq WHERE %1$s %3$s AND tsq.q IS NOT NULL AND tsv @@ tsq.q
                        )
                        SELECT c.id,
                               sum(ln(1 + (s.n - d.df + 0.5) / (d.df + 0.5))
                                   * (x.tf * (:k1 + 1))
                                   / (x.tf + :k1 * (1 - :b + :b * x.dl / s.avgdl))) AS bm25
                        FROM candidates c
                        CROSS JOIN stats s
                        CROSS JOIN LATERAL (
                            SELECT u.lexeme, coalesce(array_length(u.positions, 1), 1) AS tf,
                                   (SELECT sum(coalesce(array_length(v.positions, 1), 1)) FROM unnest(c.tsv) v) AS dl
                            FROM unnest(c.tsv) u) x
                        JOIN df d ON d.lexeme = x.lexeme
                        GROUP BY c.id
                        ORDER BY bm25 DESC, c.id
                        LIMIT :k""".formatted(
                                LIVE,
                                LIVE.replace("user_id", "m.user_id").replace("expires_at", "m.expires_at"),
                                filters.where()))
                .param("query", query)
                .param("u", userId)
                .param("k1", tuning.bm25K1())
                .param("b", tuning.bm25B())
                .param("k", candidates);
        return filters.bind(spec)
                .query((rs, n) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    scores.put(id, rs.getDouble("bm25"));
                    return id;
                })
                .list();
    }
}
