package ai.agency.memory.memory;

import ai.agency.common.error.AgencyException;
import ai.agency.common.page.Cursor;
import ai.agency.common.security.Caller;
import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.extraction.FactExtraction;
import ai.agency.memory.extraction.LlmFactExtractor;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
    private final Embedder embedder;
    private final MemoryProperties properties;
    private final FactExtraction extractor;
    private final TransactionTemplate tx;
    private final Timer addTimer;
    private final tools.jackson.databind.json.JsonMapper json;
    /** The gauge's value (a gauge holds its object weakly, so this field keeps it). */
    private final LoadingCache<String, Long> count;

    public MemoryService(
            MemoryRepository repository,
            Embedder embedder,
            MemoryProperties properties,
            FactExtraction extractor,
            MeterRegistry meters,
            tools.jackson.databind.json.JsonMapper json,
            TransactionTemplate tx) {
        this.json = json;
        this.tx = tx;
        this.repository = repository;
        this.embedder = embedder;
        this.properties = properties;
        this.extractor = extractor;
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
        return addTimer.record(() -> addAll(caller, owner, request));
    }

    private List<AddResult> addAll(Caller caller, UUID owner, AddMemoryRequest request) {
        List<String> texts = request.texts(properties.maxContentLength());
        if (request.inferFacts()) {
            return addFacts(caller, owner, request, texts);
        }
        List<float[]> vectors = embedder.embedAll(texts);
        return tx.execute(status -> addVerbatim(caller, owner, request, texts, vectors));
    }

    /**
     * {@code infer=true}: facts are extracted, then the ones the scope already holds (same text) are found in one
     * statement, before anything is embedded — they are {@code NOOP}s and need no vector (a chat turn's extraction
     * often finds what the user said before). The other facts are embedded and, in one transaction and in order,
     * each updates its near duplicate or is added with its history row (one statement). A fact repeated in the
     * request, or naming what an earlier fact of it stored, is a {@code NOOP} of that memory.
     */
    private List<AddResult> addFacts(Caller caller, UUID owner, AddMemoryRequest request, List<String> userTexts) {
        List<String> facts = extractor.extract(
                Objects.requireNonNull(request.messages()).stream() // inferFacts() needs messages
                        .map(m -> new LlmFactExtractor.Turn(m.role(), m.content()))
                        .toList(),
                userTexts);
        if (facts.isEmpty()) {
            return List.of();
        }
        List<String> hashes = facts.stream().map(MemoryService::hash).toList();
        Map<String, AddResult> stored = new HashMap<>();
        repository
                .findLiveByHashesDroppingExpired(
                        owner,
                        request.agentId(),
                        request.sessionId(),
                        hashes.stream().distinct().toList())
                .forEach((hash, memory) -> stored.put(hash, new AddResult(memory.id(), memory.memory(), "NOOP")));
        List<String> fresh = new ArrayList<>();
        Set<String> freshHashes = new HashSet<>();
        for (int i = 0; i < facts.size(); i++) {
            if (!stored.containsKey(hashes.get(i)) && freshHashes.add(hashes.get(i))) {
                fresh.add(facts.get(i));
            }
        }
        List<float[]> computed = fresh.isEmpty() ? List.of() : embedder.embedAll(fresh);
        Map<String, float[]> vectors = new HashMap<>();
        for (int i = 0; i < fresh.size(); i++) {
            vectors.put(hash(fresh.get(i)), computed.get(i));
        }
        return tx.execute(status -> {
            List<AddResult> results = new ArrayList<>();
            for (int i = 0; i < facts.size(); i++) {
                results.add(addFact(caller, owner, request, facts.get(i), hashes.get(i), stored, vectors));
            }
            return results;
        });
    }

    /**
     * One fact: a {@code NOOP} of the memory with its text in {@code stored} (which the request's earlier facts
     * keep current), else an {@code UPDATE} of its near duplicate, else an {@code ADD}.
     */
    private AddResult addFact(
            Caller caller,
            UUID owner,
            AddMemoryRequest request,
            String text,
            String hash,
            Map<String, AddResult> stored,
            Map<String, float[]> vectors) {
        AddResult same = stored.get(hash);
        if (same != null) {
            return same;
        }
        // a fact found stored whose memory an earlier fact of the request changed is embedded here, rarely
        float[] vector = vectors.computeIfAbsent(hash, h -> embedder.embed(text));
        Optional<MemoryRepository.Similar> similar = repository.mostSimilar(
                owner, request.agentId(), request.sessionId(), vector, properties.duplicateSimilarity());
        if (similar.isPresent()) {
            Memory old = similar.get().memory();
            repository.updateText(owner, old.id(), text, hash, vector);
            repository.history(old.id(), owner, "UPDATE", old.memory(), text, caller.id());
            stored.values().removeIf(m -> m.id().equals(old.id())); // its old text is no longer stored
            stored.put(hash, new AddResult(old.id(), text, "NOOP"));
            return new AddResult(old.id(), text, "UPDATE");
        }
        Map<String, UUID> inserted =
                repository.insertAll(List.of(newMemory(owner, request, text, hash, vector)), caller.id());
        UUID id = inserted.get(hash);
        if (id != null) {
            stored.put(hash, new AddResult(id, text, "NOOP"));
            return new AddResult(id, text, "ADD");
        }
        // a concurrent add stored the same text first: that memory is the answer
        Memory winner = repository
                .findByHash(owner, request.agentId(), request.sessionId(), hash)
                .orElseThrow();
        AddResult noop = new AddResult(winner.id(), winner.memory(), "NOOP");
        stored.put(hash, noop);
        return noop;
    }

    /**
     * {@code infer=false}: the texts are stored as given, deduplicated by content hash only — so the whole request
     * takes two statements whatever its size: one that removes expired copies and finds the live ones, one
     * multi-row insert that also writes the {@code ADD} history rows. The events are those of adding the texts
     * one by one: a text already stored in the scope (or earlier in the same request) is a {@code NOOP} naming
     * that memory.
     */
    private List<AddResult> addVerbatim(
            Caller caller, UUID owner, AddMemoryRequest request, List<String> texts, List<float[]> vectors) {
        List<String> hashes = texts.stream().map(MemoryService::hash).toList();
        String agentId = request.agentId();
        String sessionId = request.sessionId();
        Map<String, Memory> stored = new HashMap<>(repository.findLiveByHashesDroppingExpired(
                owner, agentId, sessionId, hashes.stream().distinct().toList()));
        List<MemoryRepository.NewMemory> fresh = new ArrayList<>();
        Set<String> pending = new HashSet<>();
        for (int i = 0; i < texts.size(); i++) {
            String hash = hashes.get(i);
            if (!stored.containsKey(hash) && pending.add(hash)) {
                fresh.add(newMemory(owner, request, texts.get(i), hash, vectors.get(i)));
            }
        }
        Map<String, UUID> inserted = fresh.isEmpty() ? Map.of() : repository.insertAll(fresh, caller.id());
        Map<String, String> freshText = new HashMap<>();
        for (MemoryRepository.NewMemory m : fresh) {
            freshText.put(m.contentHash(), m.content());
        }
        List<String> lost =
                pending.stream().filter(h -> !inserted.containsKey(h)).toList();
        if (!lost.isEmpty()) { // a concurrent add stored the same text first: that memory is the answer
            stored.putAll(repository.findLiveByHashesDroppingExpired(owner, agentId, sessionId, lost));
        }
        List<AddResult> results = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (String hash : hashes) {
            UUID id = inserted.get(hash);
            if (id != null && reported.add(hash)) {
                results.add(new AddResult(id, Objects.requireNonNull(freshText.get(hash)), "ADD"));
            } else if (id != null) {
                results.add(new AddResult(id, Objects.requireNonNull(freshText.get(hash)), "NOOP"));
            } else {
                Memory same = stored.get(hash);
                if (same == null) {
                    throw new IllegalStateException("memory with hash " + hash + " neither inserted nor found");
                }
                results.add(new AddResult(same.id(), same.memory(), "NOOP"));
            }
        }
        return results;
    }

    private static MemoryRepository.NewMemory newMemory(
            UUID owner, AddMemoryRequest request, String text, String hash, float[] vector) {
        return new MemoryRepository.NewMemory(
                owner,
                request.agentId(),
                request.sessionId(),
                text,
                hash,
                vector,
                request.tags() == null ? List.of() : request.tags(),
                request.importance() == null ? 0.5 : request.importance(),
                request.metadata() == null ? Map.of() : request.metadata(),
                request.expiresAt());
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
            repository.updateText(owner, id, text, hash, embedding);
            repository.history(id, owner, "UPDATE", current.memory(), text, caller.id());
        }
        repository.updateAttributes(owner, id, patch);
        return repository.find(owner, id).orElseThrow(() -> AgencyException.notFound("memory", id));
    }

    @Transactional
    public void delete(Caller caller, @Nullable UUID userId, UUID id) {
        requireWriter(caller);
        UUID owner = owner(caller, userId);
        Memory memory = repository.find(owner, id).orElseThrow(() -> AgencyException.notFound("memory", id));
        repository.delete(owner, id);
        repository.history(id, owner, "DELETE", memory.memory(), null, caller.id());
    }

    /** Erasure: removes the memories (narrowed by agent/session) and their history. */
    @Transactional
    public int eraseAll(Caller caller, @Nullable UUID userId, @Nullable String agentId, @Nullable String sessionId) {
        requireWriter(caller);
        return repository.eraseAll(owner(caller, userId), agentId, sessionId);
    }

    public List<MemoryRepository.HistoryEntry> history(Caller caller, @Nullable UUID userId, UUID id) {
        List<MemoryRepository.HistoryEntry> entries = repository.history(owner(caller, userId), id);
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
