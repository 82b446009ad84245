package ai.agency.memory.memory;

import ai.agency.common.error.AgencyException;
import ai.agency.common.security.Caller;
import ai.agency.memory.MemoryProperties;
import ai.agency.memory.embedding.Embedder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Adding, reading and deleting a caller's memories. */
@Service
public class MemoryService {

    private final MemoryRepository repository;
    private final Embedder embedder;
    private final MemoryProperties properties;

    public MemoryService(MemoryRepository repository, Embedder embedder, MemoryProperties properties) {
        this.repository = repository;
        this.embedder = embedder;
        this.properties = properties;
    }

    /** One outcome of an add: the memory and what happened to it. */
    public record AddResult(UUID id, String memory, String event) {}

    @Transactional
    public List<AddResult> add(Caller caller, AddMemoryRequest request) {
        requireWriter(caller);
        List<String> texts = request.texts(properties.maxContentLength());
        List<float[]> vectors = embedder.embedAll(texts);
        List<AddResult> results = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            String hash = hash(text);
            repository.deleteExpiredByHash(caller.id(), request.agentId(), request.sessionId(), hash);
            var existing = repository.findByHash(caller.id(), request.agentId(), request.sessionId(), hash);
            if (existing.isPresent()) {
                results.add(new AddResult(existing.get().id(), existing.get().memory(), "NOOP"));
                continue;
            }
            var inserted = repository.insert(new MemoryRepository.NewMemory(
                    caller.id(),
                    request.agentId(),
                    request.sessionId(),
                    text,
                    hash,
                    vectors.get(i),
                    request.tags() == null ? List.of() : request.tags(),
                    request.importance() == null ? 0.5 : request.importance(),
                    request.metadata() == null ? Map.of() : request.metadata(),
                    request.expiresAt()));
            if (inserted.isPresent()) {
                repository.history(inserted.get(), caller.id(), "ADD", null, text, caller.id());
                results.add(new AddResult(inserted.get(), text, "ADD"));
            } else {
                var winner = repository
                        .findByHash(caller.id(), request.agentId(), request.sessionId(), hash)
                        .orElseThrow();
                results.add(new AddResult(winner.id(), winner.memory(), "NOOP"));
            }
        }
        return results;
    }

    public Memory get(Caller caller, UUID id) {
        return repository.find(caller.id(), id).orElseThrow(() -> AgencyException.notFound("memory", id));
    }

    @Transactional
    public void delete(Caller caller, UUID id) {
        requireWriter(caller);
        Memory memory = get(caller, id);
        repository.delete(caller.id(), id);
        repository.history(id, caller.id(), "DELETE", memory.memory(), null, caller.id());
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
