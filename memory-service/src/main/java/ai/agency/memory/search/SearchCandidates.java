package ai.agency.memory.search;

import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.filter.MemoryFilters;
import com.pgvector.PGvector;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The two candidate lists of a {@link MemorySearch}, read in three statements on one connection (see
 * {@link #find}): the caller's BM25 statistics, the text ranking (Okapi BM25) and the dense ranking (cosine
 * similarity, exact over a small caller's rows or through the HNSW index), with what fusion and the ranking signals
 * need of each candidate's row. Every statement carries the caller's user id and the filters as SQL conditions.
 */
@Component
class SearchCandidates {

    /** The caller's memories that have not expired (the SQL condition every statement starts with). */
    private static final String LIVE = "user_id = :u AND (expires_at IS NULL OR expires_at > now())";

    private final JdbcClient jdbc;
    private final Embedder embedder;
    private final MemoryProperties properties;

    SearchCandidates(JdbcClient jdbc, Embedder embedder, MemoryProperties properties) {
        this.jdbc = jdbc;
        this.embedder = embedder;
        this.properties = properties;
    }

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
    List<Candidate> find(
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
