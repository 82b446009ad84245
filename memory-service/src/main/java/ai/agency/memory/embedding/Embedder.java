package ai.agency.memory.embedding;

import ai.agency.common.error.AgencyException;
import ai.agency.common.warmup.WarmUp;
import ai.agency.memory.MemoryProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Turns text into vectors through the configured {@link EmbeddingProvider}, and guards the stored data: the model
 * and dimension in use are recorded, and a service started with a different dimension refuses to run rather than
 * mix incomparable vectors. A service started with another model of the same dimension records it as the model in
 * use; each memory names the model of its vector, and {@code Reembedding} brings the others over in the background.
 * A remote provider's vectors are checked against the configured dimension on the first call (at start-up) and on
 * every answer.
 */
@Component
public class Embedder implements WarmUp {

    private static final Logger log = LoggerFactory.getLogger(Embedder.class);

    private final EmbeddingProvider provider;
    private final MemoryProperties properties;
    private final Cache<String, float[]> queryCache =
            Caffeine.newBuilder().maximumSize(10_000).recordStats().build();

    private final Timer timer;

    public Embedder(EmbeddingProvider provider, MemoryProperties properties, JdbcClient jdbc, MeterRegistry meters) {
        this.provider = provider;
        this.properties = properties;
        this.timer = Timer.builder("agency_embedding_seconds")
                .description("Time to embed texts")
                .tag("provider", provider.name())
                .publishPercentileHistogram()
                .register(meters);
        CaffeineCacheMetrics.monitor(meters, queryCache, "memory_query_embeddings");
        checkStoredDimension(jdbc);
    }

    public float[] embed(String text) {
        return embedAll(List.of(text)).getFirst();
    }

    /**
     * A search query's vector, computed on another thread so that the search can run its text ranking in the
     * database meanwhile; repeated queries come from a Caffeine cache (completed at once).
     */
    public CompletableFuture<float[]> embedQueryAsync(String query) {
        float[] cached = queryCache.getIfPresent(query);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        Timer.Sample started = Timer.start();
        return provider.embedQueryAsync(query)
                .whenComplete((vector, failure) -> started.stop(timer))
                .thenApply(vector -> {
                    checkDimension(vector);
                    queryCache.put(query, vector);
                    return vector;
                });
    }

    /** Refuses (400) a query the provider could not embed, without embedding it. */
    public void requireReadable(String query) {
        provider.requireReadable(query);
    }

    /** The result of an embedding started on another thread; its failure is thrown as itself, not wrapped. */
    public static <T> T join(CompletableFuture<T> work) {
        try {
            return work.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * One vector per text, in order. A text that was searched for recently has its vector in the query cache and is
     * not embedded again: a chat turn's recall searches for the user's message, and the extraction after the turn
     * usually stores that same sentence as a fact (or finds it already stored). Not with a model that embeds queries
     * differently ({@link EmbeddingProvider#asymmetric()}).
     */
    public List<float[]> embedAll(List<String> texts) {
        List<float[]> vectors = new ArrayList<>(texts.size());
        List<String> missing = new ArrayList<>();
        boolean reuse = !provider.asymmetric();
        for (String text : texts) {
            float @Nullable [] cached = reuse ? queryCache.getIfPresent(text) : null;
            vectors.add(cached);
            if (cached == null) {
                missing.add(text);
            }
        }
        if (missing.isEmpty()) {
            return vectors;
        }
        List<float[]> computed = timer.record(() -> provider.embedAll(missing));
        computed.forEach(this::checkDimension);
        if (missing.size() == texts.size()) {
            return computed;
        }
        Iterator<float[]> next = computed.iterator();
        for (int i = 0; i < vectors.size(); i++) {
            if (vectors.get(i) == null) {
                vectors.set(i, next.next());
            }
        }
        return vectors;
    }

    private void checkDimension(float[] vector) {
        if (vector.length != properties.dimensions()) {
            throw new DimensionMismatchException("The embedding provider '" + provider.name() + "' (model '"
                    + properties.embeddingModel() + "') makes vectors of " + vector.length
                    + " dimensions but agency.memory.dimensions is " + properties.dimensions());
        }
    }

    /**
     * Embeds at start-up, before the service reports ready: a sentence as a memory is added and as a search query (the
     * paths of adds and searches, through the model's thread pool), which loads the local model and checks a remote
     * provider's dimension. A wrong dimension stops the service; an unreachable provider is only logged — adds and
     * searches answer 503 until it is back.
     */
    @Override
    public void warmUp() {
        try {
            embedAll(List.of("I moved to Lisbon last spring and I work on the platform's memory service."));
            checkDimension(join(provider.embedQueryAsync("where do I live and what do I work on?")));
        } catch (AgencyException e) {
            log.warn("Embedding provider '{}' not reachable at start-up: {}", provider.name(), e.getMessage());
        }
    }

    private void checkStoredDimension(JdbcClient jdbc) {
        int modelDimension = provider.knownDimension();
        if (modelDimension > 0 && modelDimension != properties.dimensions()) {
            throw new IllegalStateException("Embedding model '" + properties.embeddingModel() + "' makes vectors of "
                    + modelDimension + " dimensions but agency.memory.dimensions is " + properties.dimensions());
        }
        jdbc.sql("INSERT INTO embedding_config (model, dimensions) VALUES (:m, :d) ON CONFLICT (id) DO NOTHING")
                .param("m", properties.embeddingModel())
                .param("d", properties.dimensions())
                .update();
        var stored = jdbc.sql("SELECT model, dimensions FROM embedding_config")
                .query((rs, n) -> new Object[] {rs.getString(1), rs.getInt(2)})
                .single();
        if ((int) stored[1] != properties.dimensions()) {
            throw new IllegalStateException("Stored memories use " + stored[1] + "-dimension embeddings (model '"
                    + stored[0] + "') but this service is configured for " + properties.dimensions()
                    + " dimensions (model '" + properties.embeddingModel() + "'). Refusing to mix them: configure the "
                    + "original model, or re-embed the data into a new database.");
        }
        if (!stored[0].equals(properties.embeddingModel())) {
            jdbc.sql("UPDATE embedding_config SET model = :m")
                    .param("m", properties.embeddingModel())
                    .update();
            log.warn(
                    "The embedding model changed from '{}' to '{}' (same dimension {}): the stored memories are "
                            + "re-embedded in the background; until each is, only the text ranking finds it",
                    stored[0],
                    properties.embeddingModel(),
                    properties.dimensions());
        }
    }

    /** The model whose vectors this service makes and compares (recorded with each memory). */
    public String model() {
        return properties.embeddingModel();
    }

    /** A provider made vectors of another size than configured: never stored, the service refuses to start. */
    public static class DimensionMismatchException extends IllegalStateException {
        DimensionMismatchException(String message) {
            super(message);
        }
    }
}
