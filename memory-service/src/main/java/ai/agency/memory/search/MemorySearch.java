package ai.agency.memory.search;

import ai.agency.memory.MemoryProperties;
import ai.agency.memory.filter.MemoryFilters;
import ai.agency.memory.memory.Memory;
import ai.agency.memory.memory.MemoryRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Hybrid search over the caller's memories: two candidate lists ({@link SearchCandidates}) — Okapi BM25 over the
 * full-text vectors (IDF from the caller's own memories) and dense cosine similarity of the embeddings (exact over
 * the caller's rows, or through the HNSW index with iterative scans for callers with very many memories) — each one
 * SQL statement after a statistics query, the query embedded meanwhile on another thread; fused here ({@link Fusion})
 * by a weighted sum of relative scores (each divided by its ranking's best; the default) or by weighted reciprocal
 * rank fusion, with the {@link RankingSignals} and optional recency and importance boosts; then the rows of the
 * results are read. Every query carries the caller's user id and the filters as real SQL conditions.
 */
@Service
public class MemorySearch {

    private final SearchCandidates searchCandidates;
    private final MemoryRepository memories;
    private final MemoryProperties properties;
    private final tools.jackson.databind.json.JsonMapper json;
    private final Timer searchTimer;
    private final RankingWeights weights;
    private final RankingSignals signals;

    MemorySearch(
            SearchCandidates searchCandidates,
            MemoryRepository memories,
            MemoryProperties properties,
            tools.jackson.databind.json.JsonMapper json,
            MeterRegistry meters) {
        this.searchCandidates = searchCandidates;
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

    /** A candidate that made it into the results, with its final score. */
    private record Scored(SearchCandidates.Candidate candidate, double score) {}

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

        List<SearchCandidates.Candidate> candidates =
                searchCandidates.find(userId, request.query(), filters, pool, useDense, useText);
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
            SearchCandidates.Candidate c = candidates.get(i);
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
                SearchCandidates.Candidate c = x.candidate();
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
}
