package ai.agency.memory.embedding;

import ai.agency.memory.MemoryProperties;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Turns text into vectors, and guards the stored data: the model and dimension in use are recorded once, and a
 * service started with a different dimension refuses to run rather than mix incomparable vectors.
 */
@Component
public class Embedder {

    private static final Logger log = LoggerFactory.getLogger(Embedder.class);

    private final EmbeddingModel model;
    private final MemoryProperties properties;
    private final Cache<String, float[]> queryCache =
            Caffeine.newBuilder().maximumSize(10_000).recordStats().build();

    private final Timer timer;

    public Embedder(EmbeddingModel model, MemoryProperties properties, JdbcClient jdbc, MeterRegistry meters) {
        this.model = model;
        this.properties = properties;
        this.timer = Timer.builder("agency_embedding_seconds")
                .description("Time to embed texts")
                .publishPercentileHistogram()
                .register(meters);
        CaffeineCacheMetrics.monitor(meters, queryCache, "memory_query_embeddings");
        checkStoredDimension(jdbc);
    }

    public float[] embed(String text) {
        return timer.record(() -> model.embed(text).content().vector());
    }

    /** A search query's vector; repeated queries come from a Caffeine cache. */
    public float[] embedQuery(String query) {
        return queryCache.get(query, this::embed);
    }

    public List<float[]> embedAll(List<String> texts) {
        return timer.record(
                () -> model.embedAll(texts.stream().map(TextSegment::from).toList()).content().stream()
                        .map(e -> e.vector())
                        .toList());
    }

    @EventListener(ApplicationReadyEvent.class)
    void warmUp() {
        embed("warm up");
    }

    private void checkStoredDimension(JdbcClient jdbc) {
        int modelDimension = model.dimension();
        if (modelDimension != properties.dimensions()) {
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
            log.warn(
                    "Stored memories were embedded with '{}', now using '{}' (same dimension {}): scores may drift",
                    stored[0],
                    properties.embeddingModel(),
                    properties.dimensions());
        }
    }
}
