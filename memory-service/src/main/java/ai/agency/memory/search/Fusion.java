package ai.agency.memory.search;

import ai.agency.memory.search.SearchCandidates.Candidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * How the two candidate lists of a {@link MemorySearch} become one score per candidate: weighted sum of relative
 * scores (the default) or weighted reciprocal rank fusion, then the {@link RankingSignals}.
 */
final class Fusion {

    private Fusion() {}

    static final RankingSignals OFF = new RankingSignals(0, 0, 0, 0);

    /** The fused scores with the {@link RankingSignals} added (hybrid mode only: the others stay pure rankings). */
    static double[] withSignals(String query, List<Candidate> candidates, double[] fused, RankingSignals signals) {
        if (signals.off() || candidates.isEmpty()) {
            return fused;
        }
        List<UUID> ids = candidates.stream().map(Candidate::id).toList();
        Map<UUID, RankingSignals.Features> features = new HashMap<>();
        candidates.forEach(c -> features.put(c.id(), c.features()));
        return signals.apply(query, ids, fused, features);
    }

    /** Weighted RRF, scaled to 0..1 by the best possible score (first in both rankings). */
    static double[] reciprocalRank(List<Candidate> candidates, double denseWeight, double textWeight, int k) {
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
    static double[] weightedSum(List<Candidate> candidates, double denseWeight, double textWeight) {
        double maxSim = 0, minSim = Double.MAX_VALUE, maxText = 0, minText = Double.MAX_VALUE;
        for (Candidate c : candidates) {
            if (c.denseRank() != null && c.similarity() != null) {
                maxSim = Math.max(maxSim, c.similarity());
                minSim = Math.min(minSim, c.similarity());
            }
            if (c.textRank() != null && c.textScore() != null) {
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
            double dense =
                    c.denseRank() == null || c.similarity() == null ? denseFloor : relative(c.similarity(), maxSim);
            double text = c.textRank() == null || c.textScore() == null ? textFloor : relative(c.textScore(), maxText);
            scores[i] = total > 0 ? (denseWeight * dense + textWeight * text) / total : 0;
        }
        return scores;
    }

    private static double relative(double value, double max) {
        return max > 0 && value < Double.MAX_VALUE ? Math.max(0, value / max) : 0;
    }
}
