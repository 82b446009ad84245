package ai.agency.orchestration.experiment;

import java.util.List;
import java.util.UUID;

/**
 * {@code GET /api/v1/experiments/{id}/results}: per variant the users assigned, the turns answered ({@code turns}) and
 * those that failed or were cancelled ({@code failedTurns}, {@code cancelledTurns}), the feedback with a 95% Wilson
 * score interval of the thumbs-up rate, first-chunk and turn latency percentiles of the answered turns (ms; first
 * chunk only for streamed turns), tokens and failed tool calls of all turns.
 */
record ExperimentResults(UUID experimentId, String status, Integer winner, List<VariantResults> variants) {

    record VariantResults(
            int version,
            double weight,
            long users,
            long turns,
            long failedTurns,
            long cancelledTurns,
            Feedback feedback,
            Percentiles firstChunkMs,
            Percentiles turnMs,
            long tokens,
            long toolErrors) {}

    /** {@code rate} is null without feedback, and the interval then all of [0, 1]; four decimals. */
    record Feedback(long up, long down, Double rate, List<Double> ci95) {

        private static final double Z = 1.959964; // the 97.5th percentile of the standard normal

        static Feedback of(long up, long down) {
            long n = up + down;
            if (n == 0) {
                return new Feedback(0, 0, null, List.of(0.0, 1.0));
            }
            double p = (double) up / n;
            double z2 = Z * Z;
            double denominator = 1 + z2 / n;
            double centre = (p + z2 / (2.0 * n)) / denominator;
            double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denominator;
            return new Feedback(
                    up, down, round(p), List.of(round(Math.max(0, centre - half)), round(Math.min(1, centre + half))));
        }

        /** Four decimals: enough for a rate, and n/n's upper bound is 1, not 0.9999999999999999. */
        private static double round(double value) {
            return Math.round(value * 10_000) / 10_000.0;
        }
    }

    /** Null when the variant has no such measurement yet. */
    record Percentiles(Double p50, Double p95) {}
}
