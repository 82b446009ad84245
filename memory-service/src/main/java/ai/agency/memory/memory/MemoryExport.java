package ai.agency.memory.memory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Writes all of a user's memories as NDJSON, row by row from a database cursor (flat memory use). */
@Component
class MemoryExport {

    private final MemoryRepository repository;
    private final JsonMapper json;
    private final TransactionTemplate readOnly;

    MemoryExport(MemoryRepository repository, JsonMapper json, PlatformTransactionManager transactions) {
        this.repository = repository;
        this.json = json;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    void write(UUID owner, OutputStream out) {
        readOnly.executeWithoutResult(status -> repository.forEach(owner, memory -> {
            try {
                out.write(json.writeValueAsBytes(memory));
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }
}
