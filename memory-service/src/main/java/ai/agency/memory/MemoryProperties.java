package ai.agency.memory;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of memory-service.
 *
 * @param dimensions size of the embedding vectors (must match the stored data)
 * @param embeddingModel name of the embedding model, recorded with the data (and sent to a remote provider)
 * @param maxSearchLimit most results one search may ask for
 * @param maxContentLength longest memory text accepted, in characters
 * @param search ranking knobs of hybrid search
 * @param embedding where embeddings come from
 * @param extraction the LLM that extracts facts from messages (none: the rule-based extractor)
 */
@Validated
@ConfigurationProperties("agency.memory")
public record MemoryProperties(
        @DefaultValue("384") @Min(1) @Max(16000) int dimensions,
        @DefaultValue("all-minilm-l6-v2-q") @NotBlank String embeddingModel,

        @DefaultValue("0.92") @DecimalMin("0") @DecimalMax("1")
        double duplicateSimilarity,

        @DefaultValue("100") @Min(1) @Max(1000) int maxSearchLimit,
        @DefaultValue("16384") @Min(100) @Max(1_000_000) int maxContentLength,
        @DefaultValue @Valid Search search,
        @DefaultValue @Valid Embedding embedding,
        @DefaultValue @Valid Extraction extraction) {

    /** The defaults, with these search knobs (for tests and tools that build the record by hand). */
    public static MemoryProperties defaults(int dimensions, Search search) {
        return new MemoryProperties(
                dimensions,
                "all-minilm-l6-v2-q",
                0.92,
                100,
                16384,
                search,
                Embedding.local(),
                new Extraction("", "", "gpt-4o-mini", Duration.ofSeconds(30), 50));
    }

    /**
     * Ranking knobs of hybrid search.
     *
     * @param fusion {@code weighted} (weighted sum of relative scores: cosine similarity and BM25 each divided by
     *     its ranking's best) or {@code rrf} (weighted reciprocal rank fusion)
     * @param denseWeight weight of the embedding ranking in the fusion (only the ratio to textWeight matters); unset:
     *     the embedding model's default (0.65 for MiniLM and remote models, 0.93 for e5)
     * @param textWeight weight of the BM25 ranking in the fusion; unset: the model's (0.35, e5 0.07)
     * @param rrfK reciprocal rank fusion constant (higher flattens the rank curve)
     * @param candidates how many candidates each ranking contributes before fusion; unset: the model's (50, e5 75)
     * @param bm25K1 BM25 term-frequency saturation
     * @param bm25B BM25 length normalisation (0.1: long memories are barely penalised; chosen on LoCoMo)
     * @param recencyWeight weight of the recency boost (0 = off): adds {@code w · 0.5^(age / half-life)}
     * @param recencyHalfLife age at which the recency boost has halved
     * @param importanceWeight weight of the importance boost (0 = off): adds {@code w · importance}
     * @param exactScanMaxRows up to this many live memories of the caller, the dense ranking computes the distance
     *     of every one of them (exact, and cheaper than walking the shared HNSW graph, which must skip the other
     *     users' vectors); above it, the HNSW index with iterative scans. 0 = always the index
     * @param speakerWeight hybrid only: added when the memory's speaker prefix ({@code "Ann: …"}) is a name the query
     *     mentions (0 = off; unset: the model's, 0.2, e5 0.15)
     * @param temporalWeight hybrid only: added when the query asks about time and the memory mentions one (0 = off;
     *     unset: 0.15, e5 0.05)
     * @param dateWeight hybrid only: added when the query names a day, month or year and the memory's validFrom falls
     *     in it or up to a week after (0 = off; unset: 0.2, e5 0.05)
     * @param neighbourWeight hybrid only: times how far the memory's best session neighbour (the memory before or
     *     after it with the same sessionId) scored above the lowest candidate (0 = off; unset: 0.5, e5 0.55)
     */
    public record Search(
            @DefaultValue("weighted") @Pattern(regexp = "rrf|weighted")
            String fusion,

            @Nullable @DecimalMin("0") Double denseWeight,
            @Nullable @DecimalMin("0") Double textWeight,
            @DefaultValue("5") @Min(1) int rrfK,
            @Nullable @Min(1) @Max(1000) Integer candidates,
            @DefaultValue("1.2") @DecimalMin("0") double bm25K1,

            @DefaultValue("0.1") @DecimalMin("0") @DecimalMax("1")
            double bm25B,

            @DefaultValue("0") @DecimalMin("0") @DecimalMax("1")
            double recencyWeight,

            @DefaultValue("30d") @NotNull Duration recencyHalfLife,

            @DefaultValue("0") @DecimalMin("0") @DecimalMax("1")
            double importanceWeight,

            @DefaultValue("20000") @Min(0) int exactScanMaxRows,

            @Nullable @DecimalMin("0") @DecimalMax("1") Double speakerWeight,
            @Nullable @DecimalMin("0") @DecimalMax("1") Double temporalWeight,
            @Nullable @DecimalMin("0") @DecimalMax("1") Double dateWeight,
            @Nullable @DecimalMin("0") @DecimalMax("2") Double neighbourWeight) {}

    /**
     * Where embeddings come from.
     *
     * @param provider {@code local} (in-process all-MiniLM-L6-v2), {@code openai} (any OpenAI-compatible
     *     {@code POST <base-url>/embeddings}) or {@code ollama} ({@code POST <base-url>/api/embed}); the model is
     *     {@code agency.memory.embedding-model}
     * @param baseUrl the provider's address; empty = {@code https://api.openai.com/v1} or
     *     {@code http://localhost:11434}
     * @param apiKey bearer token for an OpenAI-compatible provider (empty = none)
     * @param timeout how long one embedding call may take
     * @param batchSize most texts per provider call
     * @param localThreads {@code local} only: most texts the in-process model embeds at once, each on its own
     *     thread (0 = one per available processor); further texts wait their turn in arrival order
     * @param localIntraOpThreads {@code local} only: ONNX Runtime threads working on one text (1: texts run side by
     *     side instead; more only helps single long texts on an otherwise idle machine)
     * @param localNiceness {@code local} only, Linux: the model threads' nice value (0 = normal priority; 10 by
     *     default, so request threads and database backends waking up run before a running inference)
     */
    public record Embedding(
            @DefaultValue("local") @Pattern(regexp = "local|openai|ollama")
            String provider,

            @DefaultValue("") String baseUrl,
            @DefaultValue("") String apiKey,
            @DefaultValue("30s") @NotNull Duration timeout,
            @DefaultValue("64") @Min(1) @Max(2048) int batchSize,
            @DefaultValue("0") @Min(0) @Max(256) int localThreads,
            @DefaultValue("1") @Min(1) @Max(64) int localIntraOpThreads,
            @DefaultValue("10") @Min(0) @Max(19) int localNiceness) {

        public static Embedding local() {
            return new Embedding("local", "", "", Duration.ofSeconds(30), 64, 0, 1, 10);
        }
    }

    /**
     * The LLM that extracts atomic facts from messages when {@code infer=true}.
     *
     * @param baseUrl OpenAI-compatible endpoint ({@code POST <base-url>/chat/completions}); empty = no LLM, the
     *     rule-based extractor is used
     * @param apiKey bearer token (empty = none)
     * @param model chat model name
     * @param timeout how long one extraction may take before the rule-based extractor is used instead
     * @param maxFacts most facts kept from one extraction
     */
    public record Extraction(
            @DefaultValue("") String baseUrl,
            @DefaultValue("") String apiKey,
            @DefaultValue("gpt-4o-mini") @NotBlank String model,
            @DefaultValue("30s") @NotNull Duration timeout,
            @DefaultValue("50") @Min(1) @Max(500) int maxFacts) {

        public boolean configured() {
            return baseUrl != null && !baseUrl.isBlank();
        }
    }
}
