package ai.agency.memory.search;

import ai.agency.memory.MemoryProperties;
import org.jspecify.annotations.Nullable;

/**
 * The fusion weights, candidate pool and signal weights a hybrid search uses: each one configured under
 * {@code agency.memory.search.*}, or else the default tuned for the embedding model in use. Models differ: e5's
 * cosines are compressed (the top 50 lie within ~0.1), so its dense ranking needs a far higher weight than MiniLM's;
 * applied to MiniLM, e5's weights lose 0.17 of recall. Tuned on LoCoMo conversations 0–4 (docs/benchmarks/memory.md,
 * "Ranking variants offline"); a remote model gets MiniLM's.
 *
 * @param dense weight of the dense ranking in the fusion
 * @param text weight of the BM25 ranking
 * @param candidates candidates per ranking before fusion
 * @param speaker speaker signal
 * @param temporal temporal-words signal
 * @param date date signal (the query names a period the memory's validFrom falls in)
 * @param neighbour session-neighbour signal
 */
record RankingWeights(
        double dense, double text, int candidates, double speaker, double temporal, double date, double neighbour) {

    /** all-MiniLM-L6-v2 (and remote models): LoCoMo 0–4 grid with the date signal. */
    static final RankingWeights MINILM = new RankingWeights(0.65, 0.35, 50, 0.2, 0.15, 0.2, 0.5);

    /** e5-small-v2. */
    static final RankingWeights E5 = new RankingWeights(0.93, 0.07, 75, 0.15, 0.05, 0.05, 0.55);

    /** The defaults for this embedding model. */
    static RankingWeights defaultsFor(String embeddingModel) {
        return embeddingModel.equals("e5-small-v2-q") ? E5 : MINILM;
    }

    /** What the settings say, each unset one from the model's defaults. */
    static RankingWeights of(MemoryProperties properties) {
        RankingWeights d = defaultsFor(properties.embeddingModel());
        MemoryProperties.Search s = properties.search();
        return new RankingWeights(
                or(s.denseWeight(), d.dense),
                or(s.textWeight(), d.text),
                s.candidates() != null ? s.candidates() : d.candidates,
                or(s.speakerWeight(), d.speaker),
                or(s.temporalWeight(), d.temporal),
                or(s.dateWeight(), d.date),
                or(s.neighbourWeight(), d.neighbour));
    }

    private static double or(@Nullable Double configured, double otherwise) {
        return configured != null ? configured : otherwise;
    }

    RankingSignals signals() {
        return new RankingSignals(speaker, temporal, date, neighbour);
    }
}
