package ai.agency.memory.search;

import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.filter.MemoryFilters;
import ai.agency.memory.memory.Memory;
import ai.agency.memory.memory.MemoryRepository;
import com.pgvector.PGvector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Hybrid search over the caller's memories, in one SQL statement after a statistics query: two candidate lists —
 * dense cosine similarity of the embeddings (exact over the caller's rows, or through the HNSW index with
 * iterative scans for callers with very many memories) and Okapi BM25 over the full-text vectors (IDF from the
 * caller's own memories) — are joined with the memories' rows and fused here, by
 * a weighted sum of relative scores (each divided by its ranking's best; the default) or by weighted reciprocal rank fusion; optional recency and
 * importance boosts are added. Every query carries the caller's user id and the filters as real SQL conditions.
 */
@Service
public class MemorySearch {

    private static final String LIVE = "user_id = :u AND (expires_at IS NULL OR expires_at > now())";

    private final JdbcClient jdbc;
    private final Embedder embedder;
    private final MemoryRepository memories;
    private final MemoryProperties properties;
    private final tools.jackson.databind.json.JsonMapper json;
    private final Timer searchTimer;

    MemorySearch(
            JdbcClient jdbc,
            Embedder embedder,
            MemoryRepository memories,
            MemoryProperties properties,
            tools.jackson.databind.json.JsonMapper json,
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
     * One hit. {@code score} is the final score scaled to 0..1; {@code similarity} the cosine similarity and
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

    /** A candidate of either ranking: the row, its scores and ranks (1-based; null when not a candidate). */
    private record Candidate(Memory memory, Double similarity, Double textScore, Integer denseRank, Integer textRank) {}

    @Transactional(readOnly = true)
    public SearchResponse run(UUID owner, SearchRequest request) {
        return searchTimer.record(() -> search(owner, request));
    }

    private SearchResponse search(UUID userId, SearchRequest request) {
        MemoryFilters.Sql filters = request.filtersOrNone().toSql(json);
        MemoryProperties.Search tuning = properties.search();
        int limit = request.limitOrDefault();
        int pool = Math.max(limit, tuning.candidates());
        String mode = request.modeOrDefault();
        boolean useDense = !mode.equals("text") || request.threshold() != null;
        boolean useText = !mode.equals("dense");

        List<Candidate> candidates = candidates(userId, request.query(), filters, pool, useDense, useText);
        double denseWeight = mode.equals("text") ? 0 : tuning.denseWeight();
        double textWeight = mode.equals("dense") ? 0 : tuning.textWeight();
        String fusion = request.fusion() != null ? request.fusion() : tuning.fusion();
        double recencyWeight = request.recencyWeight() != null ? request.recencyWeight() : tuning.recencyWeight();
        double importanceWeight =
                request.importanceWeight() != null ? request.importanceWeight() : tuning.importanceWeight();

        double[] fused = fusion.equals("weighted")
                ? weightedSum(candidates, denseWeight, textWeight)
                : reciprocalRank(candidates, denseWeight, textWeight, tuning.rrfK());
        Instant now = Instant.now();
        double halfLifeSeconds = Math.max(1, tuning.recencyHalfLife().toSeconds());
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            boolean counted = (denseWeight > 0 && c.denseRank() != null) || (textWeight > 0 && c.textRank() != null);
            if (!counted) {
                continue; // only a candidate of a ranking this mode leaves out (e.g. dense, for a threshold)
            }
            if (request.threshold() != null && (c.similarity() == null || c.similarity() < request.threshold())) {
                continue;
            }
            double score = fused[i];
            if (recencyWeight > 0) {
                double age = Math.max(
                        0, Duration.between(c.memory().createdAt(), now).toSeconds());
                score += recencyWeight * Math.pow(0.5, age / halfLifeSeconds);
            }
            score += importanceWeight * c.memory().importance();
            score /= 1 + recencyWeight + importanceWeight;
            Memory m = c.memory();
            results.add(new Result(
                    m.id(),
                    m.memory(),
                    score,
                    c.similarity(),
                    c.textScore(),
                    m.tags(),
                    m.importance(),
                    m.metadata(),
                    m.agentId(),
                    m.sessionId(),
                    m.createdAt(),
                    m.updatedAt()));
        }
        results.sort(Comparator.comparingDouble(Result::score).reversed().thenComparing(Result::id));
        return new SearchResponse(List.copyOf(results.subList(0, Math.min(limit, results.size()))));
    }

    /** Weighted RRF, scaled to 0..1 by the best possible score (first in both rankings). */
    private static double[] reciprocalRank(List<Candidate> candidates, double denseWeight, double textWeight, int k) {
        double best = (denseWeight + textWeight) / (k + 1);
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            Candidate c = candidates.get(i);
            double score = 0;
            if (c.denseRank() != null) {
                score += denseWeight / (k + c.denseRank());
            }
            if (c.textRank() != null) {
                score += textWeight / (k + c.textRank());
            }
            scores[i] = best > 0 ? score / best : 0;
        }
        return scores;
    }

    /**
     * Weighted sum of relative scores: each ranking's scores (cosine similarity, BM25) are divided by that ranking's
     * best, so the top candidate of each gets 1; a memory that is not a candidate of a ranking gets that ranking's
     * lowest relative score (it ranked below all of them). Combined as
     * {@code (w_dense · dense + w_text · text) / (w_dense + w_text)}.
     */
    private static double[] weightedSum(List<Candidate> candidates, double denseWeight, double textWeight) {
        double maxSim = 0, minSim = Double.MAX_VALUE, maxText = 0, minText = Double.MAX_VALUE;
        for (Candidate c : candidates) {
            if (c.denseRank() != null) {
                maxSim = Math.max(maxSim, c.similarity());
                minSim = Math.min(minSim, c.similarity());
            }
            if (c.textRank() != null) {
                maxText = Math.max(maxText, c.textScore());
                minText = Math.min(minText, c.textScore());
            }
        }
        double denseFloor = relative(minSim, maxSim);
        double textFloor = relative(minText, maxText);
        double total = denseWeight + textWeight;
        double[] scores = new double[candidates.size()];
        for (int i = 0; i < scores.length; i++) {
            Candidate c = candidates.get(i);
            double dense = c.denseRank() == null ? denseFloor : relative(c.similarity(), maxSim);
            double text = c.textRank() == null ? textFloor : relative(c.textScore(), maxText);
            scores[i] = total > 0 ? (denseWeight * dense + textWeight * text) / total : 0;
        }
        return scores;
    }

    private static double relative(double value, double max) {
        return max > 0 && value < Double.MAX_VALUE ? Math.max(0, value / max) : 0;
    }

    /** The caller's live-memory count and average length in tokens (BM25 statistics; picks the plan below). */
    private record Stats(long n, BigDecimal avgdl) {}

    /**
     * The candidates of both rankings with their rows. Two round trips: the caller's BM25 statistics (count and
     * average length of their live memories: an index-only scan of {@code (user_id) INCLUDE (doc_len, expires_at)},
     * which also sets this transaction's scan settings), then one statement for both rankings. BM25: the query's
     * lexemes (English stemming, stop words removed) are OR-ed; IDF comes from the caller's own live memories.
     *
     * <p>The count picks one of two statements. A caller with at most {@code exact-scan-max-rows} live memories
     * (the usual case) gets a statement that reads only their own rows: dense distances computed for each of them
     * (exact), document frequencies and text candidates found by matching their {@code tsvector}s — the shared GIN
     * and HNSW indexes would make PostgreSQL walk every user's entries for the query's terms and skip ~99 % of them.
     * That statement's shape never depends on the caller, so it runs as a generic plan ({@code plan_cache_mode}),
     * planned once per connection instead of 4–9 ms per search. A bigger caller gets the index statement (GIN
     * candidates, HNSW with iterative scans), planned for each search.
     */
    private List<Candidate> candidates(
            UUID userId, String query, MemoryFilters.Sql filters, int pool, boolean useDense, boolean useText) {
        Stats stats = jdbc.sql("""
                        SELECT n, avgdl,
                               set_config('plan_cache_mode',
                                          CASE WHEN n <= :exact THEN 'force_generic_plan' ELSE 'auto' END, true),
                               set_config('hnsw.iterative_scan', 'relaxed_order', true),
                               set_config('hnsw.ef_search', :ef, true)
                        FROM (SELECT count(*) AS n, greatest(avg(doc_len), 1) AS avgdl FROM memories
                              WHERE %s) s""".formatted(LIVE))
                .param("u", userId)
                .param("exact", properties.search().exactScanMaxRows())
                .param("ef", Integer.toString(Math.max(40, Math.min(1000, pool))))
                .query((rs, n) -> new Stats(rs.getLong("n"), rs.getBigDecimal("avgdl")))
                .single();
        boolean small = stats.n() <= properties.search().exactScanMaxRows();
        String live = LIVE;
        String where = filters.where();
        String dense;
        if (!useDense) {
            dense = "SELECT NULL::uuid AS id, NULL::float8 AS similarity, NULL::bigint AS r WHERE false";
        } else if (small) {
            // "+ 0": an expression no index can order by, so PostgreSQL computes every distance
            dense = """
                SELECT id, similarity, row_number() OVER (ORDER BY distance, id) AS r FROM (
                    SELECT id, (embedding <=> :q) + 0 AS distance, 1 - (embedding <=> :q) AS similarity
                    FROM memories WHERE %1$s %2$s
                    ORDER BY (embedding <=> :q) + 0 LIMIT :k) nearest""".formatted(live, where);
        } else {
            dense = """
                SELECT id, similarity, row_number() OVER (ORDER BY distance, id) AS r FROM (
                    SELECT id, embedding <=> :q AS distance, 1 - (embedding <=> :q) AS similarity
                    FROM memories WHERE %1$s %2$s
                    ORDER BY embedding <=> :q LIMIT :k) nearest""".formatted(live, where);
        }
        String textSources = small
                ? """
                , mine AS MATERIALIZED (
                    SELECT id, tsv, doc_len, (true %2$s) AS eligible FROM memories WHERE %1$s
                ), df AS MATERIALIZED (
                    SELECT lexeme, ln(1 + (:n - df + 0.5) / (df + 0.5)) AS idf FROM (
                        SELECT t.lexeme, (SELECT count(*) FROM mine WHERE mine.tsv @@ t.q) AS df FROM terms t) counted
                ), text_candidates AS (
                    SELECT id, tsv, doc_len FROM mine, tsq WHERE eligible AND tsq.q IS NOT NULL AND tsv @@ tsq.q
                )""".formatted(live, where)
                : """
                , df AS MATERIALIZED (
                    SELECT lexeme, ln(1 + (:n - df + 0.5) / (df + 0.5)) AS idf FROM (
                        SELECT t.lexeme, (SELECT count(*) FROM memories m WHERE %3$s AND m.tsv @@ t.q) AS df
                        FROM terms t) counted
                ), text_candidates AS (
                    SELECT id, tsv, doc_len FROM memories, tsq WHERE %1$s %2$s AND tsq.q IS NOT NULL AND tsv @@ tsq.q
                )""".formatted(
                        live, where, live.replace("user_id", "m.user_id").replace("expires_at", "m.expires_at"));
        String text = useText ? """
                SELECT id, bm25, row_number() OVER (ORDER BY bm25 DESC, id) AS r FROM (
                    SELECT c.id,
                           sum(d.idf
                               * (x.tf * (:k1 + 1))
                               / (x.tf + :k1 * (1 - :b + :b * c.doc_len / :avgdl))) AS bm25
                    FROM text_candidates c
                    CROSS JOIN LATERAL (
                        SELECT u.lexeme, coalesce(array_length(u.positions, 1), 1) AS tf
                        FROM unnest(c.tsv) u) x
                    JOIN df d ON d.lexeme = x.lexeme
                    GROUP BY c.id
                    ORDER BY bm25 DESC, c.id
                    LIMIT :k) scored""" : "SELECT NULL::uuid AS id, NULL::float8 AS bm25, NULL::bigint AS r WHERE false";
        String sql = """
                WITH terms AS (
                    SELECT lexeme, quote_literal(lexeme)::tsquery AS q FROM (
                        SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', :query))) distinct_lexemes
                ), tsq AS (
                    SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q FROM terms
                )%1$s, dense AS (%2$s
                ), text AS (%3$s
                )
                SELECT %4$s, d.similarity, d.r AS dense_rank, t.bm25, t.r AS text_rank
                FROM dense d FULL JOIN text t ON t.id = d.id
                JOIN memories m ON m.id = coalesce(d.id, t.id) AND m.user_id = :u""".formatted(
                        useText ? textSources : "", dense, text, "m." + MemoryRepository.COLUMNS.replace(", ", ", m."));
        var spec = jdbc.sql(sql).param("query", query).param("u", userId).param("k", pool);
        if (useText) {
            spec = spec.param("n", stats.n())
                    .param("avgdl", stats.avgdl())
                    .param("k1", properties.search().bm25K1())
                    .param("b", properties.search().bm25B());
        }
        if (useDense) {
            spec = spec.param("q", new PGvector(embedder.embedQuery(query)));
        }
        return filters.bind(spec)
                .query((rs, n) -> new Candidate(
                        memories.map(rs, n),
                        (Double) rs.getObject("similarity"),
                        (Double) rs.getObject("bm25"),
                        rs.getObject("dense_rank") == null ? null : rs.getInt("dense_rank"),
                        rs.getObject("text_rank") == null ? null : rs.getInt("text_rank")))
                .list();
    }
}
