package ai.agency.memory.memory;

import ai.agency.common.security.Caller;
import ai.agency.common.usage.Quotas;
import ai.agency.common.usage.UsageEvent;
import ai.agency.common.usage.UsageRecorder;
import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import ai.agency.memory.extraction.FactExtraction;
import ai.agency.memory.extraction.LlmFactExtractor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The add path of {@link MemoryService}: texts stored as given ({@code infer=false}) or facts extracted first
 * ({@code infer=true}), each deduplicated against the scope's memories. Extraction and embedding run before the
 * transaction, so a request waiting for them holds no database connection.
 */
@Component
class MemoryAdds {

    private final MemoryRepository repository;
    private final MemoryWrites writes;
    private final MemoryHistory history;
    private final Embedder embedder;
    private final MemoryProperties properties;
    private final FactExtraction extractor;
    private final TransactionTemplate tx;
    private final UsageRecorder usage;
    private final Quotas quotas;
    private final Supersession supersession;

    /** How many current memories near each user message (and at most in all) the LLM is shown to supersede. */
    private static final int NEAREST_PER_MESSAGE = 5;

    private static final int MOST_SHOWN = 20;

    MemoryAdds(
            MemoryRepository repository,
            MemoryWrites writes,
            MemoryHistory history,
            Embedder embedder,
            MemoryProperties properties,
            FactExtraction extractor,
            TransactionTemplate tx,
            UsageRecorder usage,
            Quotas quotas,
            Supersession supersession) {
        this.repository = repository;
        this.writes = writes;
        this.history = history;
        this.embedder = embedder;
        this.properties = properties;
        this.extractor = extractor;
        this.tx = tx;
        this.usage = usage;
        this.quotas = quotas;
        this.supersession = supersession;
    }

    List<MemoryService.AddResult> addAll(Caller caller, UUID owner, AddMemoryRequest request) {
        List<String> texts = request.texts(properties.maxContentLength());
        List<UUID> named = request.supersedesOrNone();
        if (owner.equals(caller.id())) { // an admin adding for another user is not held to their own quota
            requireQuota(caller, owner);
        }
        if (request.inferFacts()) {
            return addFacts(caller, owner, request, texts);
        }
        List<float[]> vectors = embedder.embedAll(texts);
        return tx.execute(status -> recorded(
                owner,
                superseding(caller, owner, request, named, addVerbatim(caller, owner, request, texts, vectors))));
    }

    /**
     * The add's results followed by the memories it closed: those the caller named, else (for an add that yields one
     * memory whose request names a metadata entity and attribute) those the rule finds (see {@link Supersession}).
     */
    private List<MemoryService.AddResult> superseding(
            Caller caller,
            UUID owner,
            AddMemoryRequest request,
            List<UUID> named,
            List<MemoryService.AddResult> results) {
        List<UUID> ids = results.stream()
                .filter(r -> !Supersession.EVENT.equals(r.event()))
                .map(MemoryService.AddResult::id)
                .distinct()
                .toList();
        if (ids.size() != 1) {
            return results;
        }
        List<MemoryService.AddResult> all = new ArrayList<>(results);
        if (!named.isEmpty()) {
            all.addAll(supersession.closeNamed(owner, caller.id(), ids.getFirst(), named));
        } else if (request.metadata() != null
                && request.metadata().get("entity") instanceof String
                && request.metadata().get("attribute") instanceof String) {
            all.addAll(supersession.closeSameAttribute(owner, caller.id(), ids.getFirst()));
        }
        return all;
    }

    /**
     * With an LLM: the scope's current memories nearest to the user's messages (the last few), for the LLM to name
     * those a new fact supersedes. None (and nothing embedded) when the scope holds none.
     */
    private List<Memory> supersedable(UUID owner, AddMemoryRequest request, List<String> userTexts) {
        if (!extractor.usesLlm() || !repository.anyCurrent(owner, request.agentId(), request.sessionId())) {
            return List.of();
        }
        List<String> recent = userTexts.subList(Math.max(0, userTexts.size() - 4), userTexts.size());
        return repository
                .nearestCurrent(
                        owner, request.agentId(), request.sessionId(), embedder.embedAll(recent), NEAREST_PER_MESSAGE)
                .stream()
                .limit(MOST_SHOWN)
                .toList();
    }

    /**
     * The {@code memories_total} quota: auth-service's count (adds minus deletes, a few seconds behind) is checked
     * first; only near the limit are the user's rows counted here, exactly.
     */
    private void requireQuota(Caller caller, UUID owner) {
        quotas.of(caller, Quotas.MEMORIES_TOTAL).ifPresent(quota -> {
            Long limit = Objects.requireNonNull(quota.limit()); // of() answers only quotas with a limit
            if (quota.used() >= limit - limit / 10) {
                Quotas.requireBelow(quota, repository.countOf(owner));
            }
        });
    }

    /** Each memory added is a usage event of its owner, in the transaction that stores it (its id is the event's). */
    private List<MemoryService.AddResult> recorded(UUID owner, List<MemoryService.AddResult> results) {
        for (MemoryService.AddResult result : results) {
            if ("ADD".equals(result.event())) {
                usage.record(UsageEvent.memoryAdded(
                        result.id(), owner, result.memory().getBytes(StandardCharsets.UTF_8).length));
            }
        }
        return results;
    }

    /**
     * {@code infer=true}: facts are extracted, then the ones the scope already holds (same text) are found in one
     * statement, before anything is embedded — they are {@code NOOP}s and need no vector (a chat turn's extraction
     * often finds what the user said before). The other facts are embedded and, in one transaction and in order,
     * each updates its near duplicate or is added with its history row (one statement). A fact repeated in the
     * request, or naming what an earlier fact of it stored, is a {@code NOOP} of that memory.
     */
    private List<MemoryService.AddResult> addFacts(
            Caller caller, UUID owner, AddMemoryRequest request, List<String> userTexts) {
        List<Memory> current = supersedable(owner, request, userTexts);
        List<LlmFactExtractor.Fact> extracted = extractor.extract(
                Objects.requireNonNull(request.messages()).stream() // inferFacts() needs messages
                        .map(m -> new LlmFactExtractor.Turn(m.role(), m.content()))
                        .toList(),
                userTexts,
                current.stream().map(Memory::memory).toList());
        List<String> facts = extracted.stream().map(LlmFactExtractor.Fact::text).toList();
        if (facts.isEmpty()) {
            return List.of();
        }
        List<String> hashes = facts.stream().map(MemoryService::hash).toList();
        Map<String, MemoryService.AddResult> stored = new HashMap<>();
        repository
                .findLiveByHashesDroppingExpired(
                        owner,
                        request.agentId(),
                        request.sessionId(),
                        hashes.stream().distinct().toList())
                .forEach((hash, memory) ->
                        stored.put(hash, new MemoryService.AddResult(memory.id(), memory.memory(), "NOOP")));
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
            vectors.put(MemoryService.hash(fresh.get(i)), computed.get(i));
        }
        return tx.execute(status -> {
            List<MemoryService.AddResult> results = new ArrayList<>();
            for (int i = 0; i < facts.size(); i++) {
                Set<UUID> supersedes = new HashSet<>();
                extracted
                        .get(i)
                        .supersedes()
                        .forEach(n -> supersedes.add(current.get(n).id()));
                MemoryService.AddResult result =
                        addFact(caller, owner, request, facts.get(i), hashes.get(i), stored, vectors, supersedes);
                results.add(result);
                results.addAll(supersession.closeFound(owner, caller.id(), result.id(), supersedes));
            }
            return recorded(owner, superseding(caller, owner, request, List.of(), results));
        });
    }

    /**
     * One fact: a {@code NOOP} of the memory with its text in {@code stored} (which the request's earlier facts
     * keep current), else an {@code UPDATE} of its near duplicate, else an {@code ADD}. A near duplicate that the fact
     * supersedes is not updated: the fact is added and closes it.
     */
    private MemoryService.AddResult addFact(
            Caller caller,
            UUID owner,
            AddMemoryRequest request,
            String text,
            String hash,
            Map<String, MemoryService.AddResult> stored,
            Map<String, float[]> vectors,
            Set<UUID> supersedes) {
        MemoryService.AddResult same = stored.get(hash);
        if (same != null) {
            return same;
        }
        // a fact found stored whose memory an earlier fact of the request changed is embedded here, rarely
        float[] vector = vectors.computeIfAbsent(hash, h -> embedder.embed(text));
        Optional<MemoryRepository.Similar> similar = repository.mostSimilar(
                owner, request.agentId(), request.sessionId(), vector, properties.duplicateSimilarity());
        if (similar.isPresent() && !supersedes.contains(similar.get().memory().id())) {
            Memory old = similar.get().memory();
            writes.updateText(owner, old.id(), text, hash, vector);
            history.record(old.id(), owner, "UPDATE", old.memory(), text, caller.id());
            stored.values().removeIf(m -> m.id().equals(old.id())); // its old text is no longer stored
            stored.put(hash, new MemoryService.AddResult(old.id(), text, "NOOP"));
            return new MemoryService.AddResult(old.id(), text, "UPDATE");
        }
        Map<String, UUID> inserted =
                writes.insertAll(List.of(newMemory(owner, request, text, hash, vector)), caller.id());
        UUID id = inserted.get(hash);
        if (id != null) {
            stored.put(hash, new MemoryService.AddResult(id, text, "NOOP"));
            return new MemoryService.AddResult(id, text, "ADD");
        }
        // a concurrent add stored the same text first: that memory is the answer
        Memory winner = repository
                .findByHash(owner, request.agentId(), request.sessionId(), hash)
                .orElseThrow();
        MemoryService.AddResult noop = new MemoryService.AddResult(winner.id(), winner.memory(), "NOOP");
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
    private List<MemoryService.AddResult> addVerbatim(
            Caller caller, UUID owner, AddMemoryRequest request, List<String> texts, List<float[]> vectors) {
        List<String> hashes = texts.stream().map(MemoryService::hash).toList();
        String agentId = request.agentId();
        String sessionId = request.sessionId();
        Map<String, Memory> stored = new HashMap<>(repository.findLiveByHashesDroppingExpired(
                owner, agentId, sessionId, hashes.stream().distinct().toList()));
        List<MemoryWrites.NewMemory> fresh = new ArrayList<>();
        Set<String> pending = new HashSet<>();
        for (int i = 0; i < texts.size(); i++) {
            String hash = hashes.get(i);
            if (!stored.containsKey(hash) && pending.add(hash)) {
                fresh.add(newMemory(owner, request, texts.get(i), hash, vectors.get(i)));
            }
        }
        Map<String, UUID> inserted = fresh.isEmpty() ? Map.of() : writes.insertAll(fresh, caller.id());
        Map<String, String> freshText = new HashMap<>();
        for (MemoryWrites.NewMemory m : fresh) {
            freshText.put(m.contentHash(), m.content());
        }
        List<String> lost =
                pending.stream().filter(h -> !inserted.containsKey(h)).toList();
        if (!lost.isEmpty()) { // a concurrent add stored the same text first: that memory is the answer
            stored.putAll(repository.findLiveByHashesDroppingExpired(owner, agentId, sessionId, lost));
        }
        List<MemoryService.AddResult> results = new ArrayList<>();
        Set<String> reported = new HashSet<>();
        for (String hash : hashes) {
            UUID id = inserted.get(hash);
            if (id != null && reported.add(hash)) {
                results.add(new MemoryService.AddResult(id, Objects.requireNonNull(freshText.get(hash)), "ADD"));
            } else if (id != null) {
                results.add(new MemoryService.AddResult(id, Objects.requireNonNull(freshText.get(hash)), "NOOP"));
            } else {
                Memory same = stored.get(hash);
                if (same == null) {
                    throw new IllegalStateException("memory with hash " + hash + " neither inserted nor found");
                }
                results.add(new MemoryService.AddResult(same.id(), same.memory(), "NOOP"));
            }
        }
        return results;
    }

    private static MemoryWrites.NewMemory newMemory(
            UUID owner, AddMemoryRequest request, String text, String hash, float[] vector) {
        return new MemoryWrites.NewMemory(
                owner,
                request.agentId(),
                request.sessionId(),
                text,
                hash,
                vector,
                request.tags() == null ? List.of() : request.tags(),
                request.importance() == null ? 0.5 : request.importance(),
                request.metadata() == null ? Map.of() : request.metadata(),
                request.expiresAt(),
                request.validFromOrDate());
    }
}
