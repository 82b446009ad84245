package ai.agency.memory.memory;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What memory-service stores of a user, for auth-service's export and erasure jobs: {@code memories} (text, tags,
 * importance, metadata, agent and session ids, times; not the embedding vector, which is derived from the text and
 * means nothing outside this model) and {@code memory_history} (the events; the texts where history still has them).
 * Erasure deletes both; the usage outbox is {@code UsageOutboxAccountData}'s.
 */
@Component
class MemoryAccountData implements AccountData {

    static final String MEMORIES = "memories";
    static final String HISTORY = "memory_history";

    private final MemoryExport export;
    private final MemoryWrites repository;

    MemoryAccountData(MemoryExport export, MemoryWrites repository) {
        this.export = export;
        this.repository = repository;
    }

    @Override
    public List<String> kinds() {
        return List.of(MEMORIES, HISTORY);
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        if (kind.equals(MEMORIES)) {
            export.memories(userId, sink);
        } else {
            export.history(userId, sink);
        }
    }

    @Override
    @Transactional
    public Map<String, Long> erase(UUID userId) {
        // no usage event for the removal: the account's usage goes with it (auth-service erases it)
        MemoryWrites.Erasure erased = repository.eraseAll(userId, null, null);
        Map<String, Long> rows = new LinkedHashMap<>();
        rows.put(MEMORIES, (long) erased.memories());
        rows.put(HISTORY, (long) erased.history());
        return rows;
    }
}
