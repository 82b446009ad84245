package ai.agency.memory.memory;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.security.Caller;
import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageRecorder;
import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Adding, changing, reading and erasing a user's memories. Each new fact is deduplicated against the user's
 * memories in the same scope: same text → {@code NOOP}; (when inferring) a memory more similar than
 * {@code agency.memory.duplicate-similarity} → {@code UPDATE} of that memory; otherwise {@code ADD}. Every change
 * writes a history row.
 *
 * <p>Fact extraction (an LLM call, seconds) and embedding (the model or a remote provider, milliseconds to seconds
 * when queued) run before the transaction: a request waiting for them holds no database connection, so a burst of
 * adds cannot take the pool from searches and reads.
 */
@Service
public class MemoryService {

    private final MemoryRepository repository;
    private final MemoryWrites writes;
    private final MemoryHistory history;
    private final Embedder embedder;
    private final MemoryProperties properties;
    private final MemoryAdds adds;
    private final TransactionTemplate tx;
    private final UsageRecorder usage;
    private final Timer addTimer;
    private final tools.jackson.databind.json.JsonMapper json;
    /** The gauge's value (a gauge holds its object weakly, so this field keeps it). */
    private final LoadingCache<String, Long> count;

    public MemoryService(
            MemoryRepository repository,
            MemoryWrites writes,
            MemoryHistory history,
            Embedder embedder,
            MemoryProperties properties,
            MemoryAdds adds,
            MeterRegistry meters,
            tools.jackson.databind.json.JsonMapper json,
            TransactionTemplate tx,
            UsageRecorder usage) {
        this.json = json;
        this.usage = usage;
        this.tx = tx;
        this.repository = repository;
        this.writes = writes;
        this.history = history;
        this.embedder = embedder;
        this.properties = properties;
        this.adds = adds;
        this.addTimer = Timer.builder("agency_memory_add_seconds")
                .description("Time to add memories (extraction, embedding, dedup, insert)")
                .publishPercentileHistogram()
                .register(meters);
        // counting every row is a full scan (~0.1 s at 100k rows): done at most once a minute, off the scrape, and
        // replaced by PostgreSQL's estimate above 100k rows
        this.count = Caffeine.newBuilder()
                .refreshAfterWrite(Duration.ofMinutes(1))
                .build(key -> repository.countAll(100_000));
        meters.gauge("agency_memory_count", count, c -> c.get("memories"));
    }

    /** One outcome of an add: the memory and what happened to it. */
    public record AddResult(UUID id, String memory, String event) {}

    /** Whose memories a request is about: the caller's, or — for admins with {@code ?userId=} — that user's. */
    public static UUID owner(Caller caller, @Nullable UUID userId) {
        if (userId == null || userId.equals(caller.id())) {
            return caller.id();
        }
        if (!caller.isAdmin()) {
            throw AgencyException.forbidden("Only admins may act on another user's memories");
        }
        return userId;
    }

    public List<AddResult> add(Caller caller, @Nullable UUID userId, AddMemoryRequest request) {
        requireWriter(caller);
        UUID owner = owner(caller, userId);
        return addTimer.record(() -> adds.addAll(caller, owner, request));
    }

    public List<Memory> page(
            Caller caller,
            @Nullable UUID userId,
            ai.agency.memory.filter.MemoryFilters filters,
            Cursor.@Nullable Keyset after,
            int limit) {
        return repository.page(
                owner(caller, userId),
                filters.toSql(json),
                after == null ? null : after.createdAt(),
                after == null ? null : after.id(),
                limit);
    }

    public Memory get(Caller caller, @Nullable UUID userId, UUID id) {
        return repository.find(owner(caller, userId), id).orElseThrow(() -> AgencyException.notFound("memory", id));
    }

    /** Changes a memory; a new text is embedded before the transaction (see the class comment). */
    public Memory patch(Caller caller, @Nullable UUID userId, UUID id, PatchMemoryRequest patch) {
        requireWriter(caller);
        UUID owner = owner(caller, userId);
        Memory before = repository.find(owner, id).orElseThrow(() -> AgencyException.notFound("memory", id));
        String text = null;
        float[] vector = null;
        if (patch.memory() != null) {
            text = patch.memory().strip();
            if (text.isEmpty()) {
                throw AgencyException.invalidField("memory", "must not be blank");
            }
            if (text.length() > properties.maxContentLength()) {
                throw AgencyException.invalidField(
                        "memory", "is longer than " + properties.maxContentLength() + " characters");
            }
            if (!text.equals(before.memory())) {
                vector = embedder.embed(text);
            }
        }
        String newText = text;
        float[] newVector = vector;
        return tx.execute(status -> applyPatch(caller, owner, id, patch, newText, newVector));
    }

    private Memory applyPatch(
            Caller caller,
            UUID owner,
            UUID id,
            PatchMemoryRequest patch,
            @Nullable String text,
            float @Nullable [] vector) {
        Memory current = repository.find(owner, id).orElseThrow(() -> AgencyException.notFound("memory", id));
        if (text != null && !text.equals(current.memory())) {
            String hash = hash(text);
            Optional<Memory> clash = repository.findByHash(owner, current.agentId(), current.sessionId(), hash);
            if (clash.isPresent() && !clash.get().id().equals(id)) {
                throw AgencyException.conflict("Another memory " + clash.get().id() + " already has this text");
            }
            // the text changed since it was read before the transaction: embedded here, rarely
            float[] embedding = vector != null ? vector : embedder.embed(text);
            writes.updateText(owner, id, text, hash, embedding);
            history.record(id, owner, "UPDATE", current.memory(), text, caller.id());
        }
        writes.updateAttributes(owner, id, patch);
        return repository.find(owner, id).orElseThrow(() -> AgencyException.notFound("memory", id));
    }

    @Transactional
    public void delete(Caller caller, @Nullable UUID userId, UUID id) {
        requireWriter(caller);
        UUID owner = owner(caller, userId);
        repository.find(owner, id).orElseThrow(() -> AgencyException.notFound("memory", id));
        writes.delete(owner, id);
        history.forgetTexts(owner, id); // no copy of the text is left behind, in history either
        history.record(id, owner, "DELETE", null, null, caller.id());
        usage.record(UsageEvent.memoriesRemoved(UsageEvent.idOf("memory-removed:" + id), owner, 1));
    }

    /** Erasure: removes the memories (narrowed by agent/session) and their history. */
    @Transactional
    public int eraseAll(Caller caller, @Nullable UUID userId, @Nullable String agentId, @Nullable String sessionId) {
        requireWriter(caller);
        UUID owner = owner(caller, userId);
        int erased = writes.eraseAll(owner, agentId, sessionId).memories();
        if (erased > 0) {
            usage.record(UsageEvent.memoriesRemoved(UUID.randomUUID(), owner, erased));
        }
        return erased;
    }

    public List<MemoryHistory.HistoryEntry> history(Caller caller, @Nullable UUID userId, UUID id) {
        List<MemoryHistory.HistoryEntry> entries = history.entries(owner(caller, userId), id);
        if (entries.isEmpty()) {
            throw AgencyException.notFound("memory", id);
        }
        return entries;
    }

    static void requireWriter(Caller caller) {
        if (!caller.canWrite()) {
            throw AgencyException.forbidden("The viewer role can read memories but not change them");
        }
    }

    static String hash(String text) {
        String normalised = text.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(normalised.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
