package ai.agency.memory.memory;

import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Brings the stored memories over to the embedding model in use after {@code agency.memory.embedding-model} changed
 * to another model of the same dimension (e.g. all-MiniLM-L6-v2 → e5-small-v2): each memory names the model of its
 * vector, and this job re-embeds those of another model, {@code agency.memory.embedding.batch-size} at a time, in the
 * background. Until a memory is re-embedded, the dense ranking and the duplicate check leave it out and only the text
 * ranking finds it; nothing is ever compared across models.
 *
 * <ul>
 *   <li>Progress: {@code GET /actuator/embeddings}, the gauge
 *       {@code agency_memory_reembedding_remaining} and the counter {@code agency_memory_reembedded_total}.
 *   <li>Several replicas: one works at a time (a PostgreSQL advisory lock per batch); a replica still on the old
 *       model during a rolling change never works (its model is not the one recorded as in use) and the rows it
 *       writes meanwhile are picked up by the next pass.
 *   <li>A memory whose text changes while its batch is embedded (a PATCH, which embeds with the model in use) is
 *       left as the PATCH wrote it: the update matches the text's hash and the old model only.
 *   <li>The model's threads are shared with live adds and searches (the fair queue of {@code
 *       LocalEmbeddingProvider}): while a re-embedding runs, adds are slower; it is a one-off cost per model change.
 * </ul>
 */
@Component
public class Reembedding {

    private static final Logger log = LoggerFactory.getLogger(Reembedding.class);
    /** The advisory lock key that lets one replica at a time re-embed ("reembed" in ASCII). */
    public static final long LOCK = 0x7265656d626564L;

    /** The lowest uuid in PostgreSQL's order (bytes compared unsigned). */
    private static final UUID FIRST = new UUID(0, 0);

    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Embedder embedder;
    private final int batchSize;
    private final int dimensions;
    private final AtomicLong remaining = new AtomicLong(-1);
    private final AtomicLong reembedded = new AtomicLong();
    private final AtomicReference<@Nullable Status> last = new AtomicReference<>();
    private final Counter counter;
    private volatile boolean running;

    /** A pass's keyset cursor: passes start again from the lowest id, to catch what old replicas wrote meanwhile. */
    private UUID after = FIRST;

    Reembedding(
            JdbcClient jdbc,
            TransactionTemplate transactions,
            Embedder embedder,
            MemoryProperties properties,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.embedder = embedder;
        this.batchSize = properties.embedding().batchSize();
        this.dimensions = properties.dimensions();
        Gauge.builder("agency_memory_reembedding_remaining", remaining, r -> Math.max(0, r.get()))
                .description("Memories whose vector another embedding model made, waiting to be re-embedded")
                .register(meters);
        this.counter = Counter.builder("agency_memory_reembedded")
                .description("Memories re-embedded with the model in use after a model change")
                .register(meters);
    }

    /** What the job has done and has left: {@code /actuator/embeddings}. */
    public record Status(
            String model,
            int dimensions,
            long remaining,
            long reembedded,
            boolean running,
            @Nullable Instant lastRun,
            @Nullable String lastError) {}

    /**
     * One pass: re-embeds batches until none of another model is left (or another replica holds the lock, or the
     * provider fails — the next pass goes on from there); returns how many memories it re-embedded.
     */
    @Scheduled(
            fixedDelayString = "${agency.memory.reembedding-interval:PT30S}",
            initialDelayString = "${agency.memory.reembedding-initial-delay:PT5S}")
    public synchronized int run() {
        if (!modelInUse()) {
            return 0;
        }
        remaining.set(countRemaining());
        if (remaining.get() == 0) {
            return 0;
        }
        log.info("Re-embedding {} memories with the model '{}'", remaining.get(), embedder.model());
        running = true;
        long before = reembedded.get();
        String error = null;
        try {
            while (runBatch() > 0) {
                // on to the next batch
            }
        } catch (RuntimeException e) {
            error = e.getMessage();
            log.warn("Re-embedding stopped, to be continued in the next pass: {}", e.getMessage());
        } finally {
            running = false;
            remaining.set(countRemaining());
            last.set(new Status(
                    embedder.model(), dimensions, remaining.get(), reembedded.get(), false, Instant.now(), error));
        }
        int total = (int) (reembedded.get() - before);
        log.info("Re-embedded {} memories with '{}'; {} left", total, embedder.model(), remaining.get());
        return total;
    }

    /**
     * One batch, in one transaction: the next {@code batchSize} memories of another model after the cursor are
     * embedded and updated. Returns how many it looked at; 0 at the end of a pass (the cursor starts again from the
     * lowest id, to catch what replicas on the old model wrote meanwhile), -1 when another replica holds the lock.
     */
    public synchronized int runBatch() {
        Integer looked = transactions.execute(status -> {
            Boolean locked = jdbc.sql("SELECT pg_try_advisory_xact_lock(:k)")
                    .param("k", LOCK)
                    .query(Boolean.class)
                    .single();
            if (!Boolean.TRUE.equals(locked)) {
                return -1;
            }
            List<UUID> ids = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            List<String> hashes = new ArrayList<>();
            jdbc.sql("SELECT id, content, content_hash FROM memories WHERE id > :after AND embedding_model <> :m "
                            + "ORDER BY id LIMIT :n")
                    .param("after", after)
                    .param("m", embedder.model())
                    .param("n", batchSize)
                    .query(rs -> {
                        ids.add(rs.getObject("id", UUID.class));
                        texts.add(rs.getString("content"));
                        hashes.add(rs.getString("content_hash"));
                    });
            if (ids.isEmpty()) {
                after = FIRST;
                return 0;
            }
            List<float[]> vectors = embedder.embedAll(texts);
            int updated = jdbc.sql("""
                            UPDATE memories m SET embedding = CAST(r.e AS vector), embedding_model = :m
                            FROM unnest(CAST(:ids AS uuid[]), CAST(:hs AS text[]), CAST(:es AS text[])) AS r(id, h, e)
                            WHERE m.id = r.id AND m.content_hash = r.h AND m.embedding_model <> :m""")
                    .param("m", embedder.model())
                    .param("ids", ids.toArray(UUID[]::new))
                    .param("hs", hashes.toArray(String[]::new))
                    .param(
                            "es",
                            vectors.stream().map(MemoryWrites::vectorLiteral).toArray(String[]::new))
                    .update();
            after = ids.getLast();
            reembedded.addAndGet(updated);
            counter.increment(updated);
            remaining.updateAndGet(r -> Math.max(0, r - updated));
            return ids.size();
        });
        return looked == null ? 0 : looked;
    }

    /** What is done and left now (counts the rows of other models again). */
    public Status status() {
        remaining.set(countRemaining());
        Status previous = last.get();
        return new Status(
                embedder.model(),
                dimensions,
                remaining.get(),
                reembedded.get(),
                running,
                previous == null ? null : previous.lastRun(),
                previous == null ? null : previous.lastError());
    }

    /** Whether this service's model is the one recorded as in use (a replica left on an old model does nothing). */
    private boolean modelInUse() {
        return jdbc.sql("SELECT model FROM embedding_config")
                .query(String.class)
                .optional()
                .map(embedder.model()::equals)
                .orElse(false);
    }

    private long countRemaining() {
        return jdbc.sql("SELECT count(*) FROM memories WHERE embedding_model <> :m")
                .param("m", embedder.model())
                .query(Long.class)
                .single();
    }
}
