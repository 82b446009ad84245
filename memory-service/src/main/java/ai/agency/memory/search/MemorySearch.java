package ai.agency.memory.search;

import ai.agency.common.security.Caller;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.memory.Memory;
import ai.agency.memory.memory.MemoryRepository;
import com.pgvector.PGvector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Semantic search over the caller's memories: cosine similarity of all-MiniLM embeddings through the HNSW index,
 * always filtered by the caller's user id (iterative index scans keep filtered searches complete).
 */
@Service
public class MemorySearch {

    private final JdbcClient jdbc;
    private final Embedder embedder;
    private final MemoryRepository memories;

    MemorySearch(JdbcClient jdbc, Embedder embedder, MemoryRepository memories) {
        this.jdbc = jdbc;
        this.embedder = embedder;
        this.memories = memories;
    }

    /** One hit. */
    public record Result(
            UUID id,
            String memory,
            double score,
            List<String> tags,
            double importance,
            Map<String, Object> metadata,
            String agentId,
            String sessionId,
            Instant createdAt,
            Instant updatedAt) {
        static Result of(Memory m, double score) {
            return new Result(
                    m.id(),
                    m.memory(),
                    score,
                    m.tags(),
                    m.importance(),
                    m.metadata(),
                    m.agentId(),
                    m.sessionId(),
                    m.createdAt(),
                    m.updatedAt());
        }
    }

    public record SearchResponse(List<Result> results) {}

    @Transactional(readOnly = true)
    public SearchResponse run(Caller caller, SearchRequest request) {
        float[] query = embedder.embed(request.query());
        jdbc.sql("SET LOCAL hnsw.iterative_scan = relaxed_order").update();
        SearchRequest.Filters filters = request.filters();
        String agentId = filters == null ? null : filters.agentId();
        String sessionId = filters == null ? null : filters.sessionId();
        double threshold = request.threshold() == null ? -1 : request.threshold();
        List<Result> results = jdbc.sql("""
                        SELECT * FROM (
                          SELECT %s, 1 - (embedding <=> :q) AS score
                          FROM memories
                          WHERE user_id = :u
                            AND (expires_at IS NULL OR expires_at > now())
                            AND (CAST(:a AS text) IS NULL OR agent_id = :a)
                            AND (CAST(:s AS text) IS NULL OR session_id = :s)
                          ORDER BY embedding <=> :q
                          LIMIT :limit) hits
                        WHERE score >= :threshold
                        ORDER BY score DESC""".formatted(MemoryRepository.COLUMNS))
                .param("q", new PGvector(query))
                .param("u", caller.id())
                .param("a", agentId)
                .param("s", sessionId)
                .param("limit", request.limitOrDefault())
                .param("threshold", threshold)
                .query((rs, n) -> Result.of(memories.map(rs, n), rs.getDouble("score")))
                .list();
        return new SearchResponse(results);
    }
}
