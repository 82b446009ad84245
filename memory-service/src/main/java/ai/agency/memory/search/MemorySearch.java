package ai.agency.memory.search;

import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.filter.MemoryFilters;
import ai.agency.memory.memory.Memory;
import ai.agency.memory.memory.MemoryRepository;
import com.pgvector.PGvector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Hybrid search over the caller's memories: two candidate lists — Okapi BM25 over the full-text vectors (IDF from the
 * caller's own memories) and dense cosine similarity of the embeddings (exact over the caller's rows, or through the
 * HNSW index with iterative scans for callers with very many memories) — each one SQL statement after a statistics
 * query, the query embedded meanwhile on another thread; fused here by a weighted sum of relative scores (each
 * divided by its ranking's best; the default) or by weighted reciprocal rank fusion, with optional recency and
 * importance boosts; then the rows of the results are read. Every query carries the caller's user id and the
 * filters as real SQL conditions.
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
    private final RankingWeights weights;
    private final RankingSignals signals;

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
        this.weights = RankingWeights.of(properties);
        this.signals = weights.signals();
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
            @Nullable Double similarity,
            @Nullable Double textScore,
            List<String> tags,
            double importance,
            Map<String, Object> metadata,
            @Nullable String agentId,
            @Nullable String sessionId,
            Instant createdAt,
            Instant updatedAt,
            Instant validFrom,
            @Nullable Instant invalidAt,
            @Nullable UUID supersededBy) {}

    public record SearchResponse(List<Result> results) {}

    /**
     * A candidate of either ranking: what fusion and the boosts need of its row, its scores and ranks (1-based; null
     * when not a candidate of that ranking). The whole rows are read for the results only.
     */
    record Candidate(
            UUID id,
            double importance,
            Instant createdAt,
            @Nullable Double similarity,
            @Nullable Double textScore,
            @Nullable Integer denseRank,
            @Nullable Integer textRank,
            RankingSignals.Features features) {}

    /** A candidate that made it into the results, with its final score. */
    private record Scored(Candidate candidate, double score) {}

    @Transactional(readOnly = true)
    public SearchResponse run(UUID owner, SearchRequest request) {
        return searchTimer.record(() -> search(owner, request));
    }

    private SearchResponse search(UUID userId, SearchRequest request) {
        MemoryFilters.Sql filters = request.filtersOrNone().toSql(json);
        MemoryProperties.Search tuning = properties.search();
        int limit = request.limitOrDefault();
        int pool = Math.max(limit, weights.candidates());
        String mode = request.modeOrDefault();
        boolean useDense = !mode.equals("text") || request.threshold() != null;
        boolean useText = !mode.equals("dense");

        List<Candidate> candidates = candidates(userId, request.query(), filters, pool, useDense, useText);
        double denseWeight = mode.equals("text") ? 0 : weights.dense();
        double textWeight = mode.equals("dense") ? 0 : weights.text();
        String fusion = request.fusion() != null ? request.fusion() : tuning.fusion();
        double recencyWeight = request.recencyWeight() != null ? request.recencyWeight() : tuning.recencyWeight();
        double importanceWeight =
                request.importanceWeight() != null ? request.importanceWeight() : tuning.importanceWeight();

        double[] fused = fusion.equals("weighted")
                ? Fusion.weightedSum(candidates, denseWeight, textWeight)
                : Fusion.reciprocalRank(candidates, denseWeight, textWeight, tuning.rrfK());
        fused = Fusion.withSignals(request.query(), candidates, fused, mode.equals("hybrid") ? signals : Fusion.OFF);
        Instant now = Instant.now();
        double halfLifeSeconds = Math.max(1, tuning.recencyHalfLife().toSeconds());
        List<Scored> scored = new ArrayList<>();
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
                double age = Math.max(0, Duration.between(c.createdAt(), now).toSeconds());
                score += recencyWeight * Math.pow(0.5, age / halfLifeSeconds);
            }
            score += importanceWeight * c.importance();
            score /= 1 + recencyWeight + importanceWeight;
            scored.add(new Scored(c, score));
        }
        scored.sort(Comparator.comparingDouble(Scored::score)
                .reversed()
                .thenComparing(x -> x.candidate().id()));
        List<Scored> top = scored.subList(0, Math.min(limit, scored.size()));
        Map<UUID, Memory> rows = new HashMap<>();
        if (!top.isEmpty()) { // a memory deleted since the rankings read it is left out
            memories.findAll(userId, top.stream().map(x -> x.candidate().id()).toList())
                    .forEach(m -> rows.put(m.id(), m));
        }
        List<Result> results = new ArrayList<>(top.size());
        for (Scored x : top) {
            Memory m = rows.get(x.candidate().id());
            if (m != null) {
                Candidate c = x.candidate();
                results.add(new Result(
                        m.id(),
                        m.memory(),
                        x.score(),
                        c.similarity(),
                        c.textScore(),
                        m.tags(),
                        m.importance(),
                        m.metadata(),
                        m.agentId(),
                        m.sessionId(),
                        m.createdAt(),
                        m.updatedAt(),
                        m.validFrom(),
                        m.invalidAt(),
                        m.supersededBy()));
            }
        }
        return new SearchResponse(List.copyOf(results));
    }

    /**
     * The caller's live-memory count and average length in tokens (BM25 statistics), and how many of those memories
     * are not in the HNSW graph yet (with the count, picks the plans below).
     */
    private record Stats(long n, double avgdl, long outsideGraph) {}

    /** A candidate of the text ranking: its BM25 score and rank (1-based). */
    private record TextHit(double bm25, int rank) {}

    /**
     * The candidates of both rankings, in three statements on one connection: the caller's BM25 statistics (count and
     * average length of their live memories, and how many are outside the HNSW graph: an index-only scan of
     * {@code (user_id) INCLUDE (doc_len, expires_at, in_graph)}, which also sets this transaction's scan settings),
     * the text ranking, then the dense ranking with the importance and age of both rankings' candidates. The query
     * is embedded on another thread while the text ranking runs, so on an idle core the embedding costs no time until
     * the dense statement needs it. A caller without live memories gets no candidates after the first statement: the
     * query is not embedded (a chat turn's recall for a user who has no memories yet costs one statement).
     *
     * <p>The count picks the plans. A caller with at most {@code exact-scan-max-rows} live memories (the usual case)
     * gets statements that read only their own rows: dense distances computed for each of them (exact), the query's
     * lexemes matched against their {@code tsvector}s — the shared GIN and HNSW indexes would make PostgreSQL walk
     * every user's entries for the query's terms and skip ~99 % of them. Those statements' shape never depends on
     * the caller, so they run as generic plans ({@code plan_cache_mode}), planned once per connection instead of 4–9
     * ms per search. A bigger caller gets plans made for each search: GIN for the text ranking, HNSW with iterative
     * scans for the dense one — once all their live memories are in the graph (the HNSW index holds only big
     * callers' memories; see {@code GraphPromotion}); until then, the exact statements.
     */
    private List<Candidate> candidates(
            UUID userId, String query, MemoryFilters.Sql filters, int pool, boolean useDense, boolean useText) {
        Stats stats = jdbc.sql("""
                        SELECT n, avgdl, outside_graph,
                               set_config('plan_cache_mode',
                                          CASE WHEN n <= :exact OR outside_graph > 0 THEN 'force_generic_plan'
                                               ELSE 'auto' END, true),
                               set_config('hnsw.iterative_scan', 'relaxed_order', true),
                               set_config('hnsw.ef_search', :ef, true)
                        FROM (SELECT count(*) AS n, greatest(avg(doc_len), 1)::float8 AS avgdl,
                                     count(*) FILTER (WHERE NOT in_graph) AS outside_graph
                              FROM memories WHERE %s) s""".formatted(LIVE))
                .param("u", userId)
                .param("exact", properties.search().exactScanMaxRows())
                .param("ef", Integer.toString(Math.max(40, Math.min(1000, pool))))
                .query((rs, n) -> new Stats(rs.getLong("n"), rs.getDouble("avgdl"), rs.getLong("outside_graph")))
                .single();
        if (stats.n() == 0) {
            if (useDense) {
                embedder.requireReadable(query); // a query the model cannot read is bad input either way
            }
            return List.of(); // no live memories: nothing to rank, and the query need not be embedded
        }
        CompletableFuture<float[]> vector = useDense ? embedder.embedQueryAsync(query) : null;
        // a big caller whose memories are not all in the graph yet (GraphPromotion moves them) gets the exact scan
        boolean small = stats.n() <= properties.search().exactScanMaxRows() || stats.outsideGraph() > 0;
        Map<UUID, TextHit> text = useText ? textRanking(userId, query, filters, pool, stats, small) : Map.of();
        return denseRanking(userId, vector == null ? null : Embedder.join(vector), filters, pool, small, text);
    }

    /**
     * Okapi BM25 over the caller's live memories that match any of the query's lexemes (English stemming, stop
     * words removed, OR-ed); IDF and average length from the caller's own live memories. Each matching memory's
     * {@code tsvector} is cut down to the query's lexemes with their positions (re-weighted to {@code A}, then
     * filtered on {@code A}; stored vectors carry no weights), so term frequencies and document frequencies come
     * from one small unnest instead of one of every lexeme of every matching memory.
     */
    private Map<UUID, TextHit> textRanking(
            UUID userId, String query, MemoryFilters.Sql filters, int pool, Stats stats, boolean small) {
        String mine = small ? """
                mine AS MATERIALIZED (
                    SELECT id, doc_len, (true %2$s) AS eligible,
                           CASE WHEN tsv @@ tsq.q THEN ts_filter(setweight(tsv, 'A', tsq.lexemes), '{a}') END AS hits
                    FROM memories, tsq WHERE %1$s
                )""" : """
                mine AS (
                    SELECT id, doc_len, (true %2$s) AS eligible,
                           ts_filter(setweight(tsv, 'A', tsq.lexemes), '{a}') AS hits
                    FROM memories, tsq WHERE %1$s AND tsv @@ tsq.q
                )""";
        String sql = """
                WITH terms AS (
                    SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', :query))
                ), tsq AS (
                    SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q, array_agg(lexeme) AS lexemes
                    FROM terms
                ), %s, occurrences AS MATERIALIZED (
                    SELECT m.id, m.doc_len, m.eligible, o.lexeme, coalesce(array_length(o.positions, 1), 1) AS tf
                    FROM mine m CROSS JOIN LATERAL unnest(m.hits) o
                    WHERE m.hits IS NOT NULL
                ), df AS (
                    SELECT lexeme, ln(1 + (:n - count(*) + 0.5) / (count(*) + 0.5))::float8 AS idf
                    FROM occurrences GROUP BY lexeme
                )
                SELECT o.id, sum(d.idf * (o.tf * (:k1 + 1)) / (o.tf + :k1 * (1 - :b + :b * o.doc_len / :avgdl))) AS bm25
                FROM occurrences o JOIN df d ON d.lexeme = o.lexeme
                WHERE o.eligible
                GROUP BY o.id
                ORDER BY bm25 DESC, o.id
                LIMIT :k""".formatted(mine.formatted(LIVE, filters.where()));
        Map<UUID, TextHit> hits = new LinkedHashMap<>();
        filters.bind(jdbc.sql(sql)
                        .param("query", query)
                        .param("u", userId)
                        .param("k", pool)
                        .param("n", stats.n())
                        .param("avgdl", stats.avgdl())
                        .param("k1", properties.search().bm25K1())
                        .param("b", properties.search().bm25B()))
                .query(rs -> {
                    hits.put(rs.getObject("id", UUID.class), new TextHit(rs.getDouble("bm25"), hits.size() + 1));
                });
        return hits;
    }

    /**
     * The dense ranking (cosine similarity; exact over a small caller's rows — {@code + 0} is an expression no index
     * can order by, so PostgreSQL computes every distance — or through HNSW), joined with the importance and age of
     * its candidates and of the text ranking's. {@code vector} is null when the search leaves the dense ranking out.
     * Memories whose vector another model made (waiting to be re-embedded) are left out of the dense ranking.
     */
    private List<Candidate> denseRanking(
            UUID userId,
            float @Nullable [] vector,
            MemoryFilters.Sql filters,
            int pool,
            boolean small,
            Map<UUID, TextHit> text) {
        String dense;
        if (vector == null) {
            dense = "SELECT NULL::uuid AS id, NULL::float8 AS similarity, NULL::bigint AS r WHERE false";
        } else {
            String order = small ? "(embedding <=> :q) + 0" : "embedding <=> :q";
            String graph = small ? "" : "AND in_graph"; // the HNSW index is partial: WHERE in_graph
            dense = """
                SELECT id, similarity, row_number() OVER (ORDER BY distance, id) AS r FROM (
                    SELECT id, %3$s AS distance, 1 - (embedding <=> :q) AS similarity
                    FROM memories WHERE %1$s %4$s AND embedding_model = :model %2$s
                    ORDER BY %3$s LIMIT :k) nearest""".formatted(LIVE, filters.where(), order, graph);
        }
        String sql = """
                WITH dense AS (%s)
                SELECT m.id, m.importance, (extract(epoch FROM m.created_at) * 1000000)::bigint AS created_us,
                       (m.valid_from AT TIME ZONE 'UTC')::date AS about,
                       d.similarity, d.r AS dense_rank,
                       left(m.content, :head) AS head,
                       (SELECT p.id FROM memories p
                        WHERE m.session_id IS NOT NULL AND p.user_id = :u AND p.session_id = m.session_id
                          AND (p.created_at, p.id) < (m.created_at, m.id)
                        ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS previous_id,
                       (SELECT n.id FROM memories n
                        WHERE m.session_id IS NOT NULL AND n.user_id = :u AND n.session_id = m.session_id
                          AND (n.created_at, n.id) > (m.created_at, m.id)
                        ORDER BY n.created_at, n.id LIMIT 1) AS next_id
                FROM dense d FULL JOIN unnest(CAST(:texts AS uuid[])) t(id) ON t.id = d.id
                JOIN memories m ON m.id = coalesce(d.id, t.id) AND m.user_id = :u""".formatted(dense);
        var spec = jdbc.sql(sql)
                .param("u", userId)
                .param("k", pool)
                .param("texts", text.keySet().toArray(UUID[]::new))
                .param("head", RankingSignals.HEAD);
        if (vector != null) {
            spec = spec.param("q", new PGvector(vector)).param("model", properties.embeddingModel());
        }
        return filters.bind(spec)
                .query((rs, n) -> {
                    UUID id = rs.getObject("id", UUID.class);
                    long createdMicros = rs.getLong("created_us");
                    TextHit hit = text.get(id);
                    return new Candidate(
                            id,
                            rs.getDouble("importance"),
                            Instant.ofEpochSecond(
                                    Math.floorDiv(createdMicros, 1_000_000),
                                    Math.floorMod(createdMicros, 1_000_000) * 1_000L),
                            (Double) rs.getObject("similarity"),
                            hit == null ? null : hit.bm25(),
                            rs.getObject("dense_rank") == null ? null : rs.getInt("dense_rank"),
                            hit == null ? null : hit.rank(),
                            RankingSignals.features(
                                    rs.getString("head"),
                                    rs.getObject("about", java.time.LocalDate.class),
                                    rs.getObject("previous_id", UUID.class),
                                    rs.getObject("next_id", UUID.class)));
                })
                .list();
    }
}
