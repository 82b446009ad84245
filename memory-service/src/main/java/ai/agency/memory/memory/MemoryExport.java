package ai.agency.memory.memory;

import ai.agency.common.accountdata.AccountData.RecordSink;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.function.Consumer;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams a user's memories and history row by row from a database cursor, inside a read-only transaction (the
 * PostgreSQL driver fetches in batches only then): flat memory use however many rows the user has. Serves {@code
 * GET /api/v1/memories/export} and the account-data export ({@link MemoryAccountData}).
 */
@Component
class MemoryExport {

    private final MemoryRepository repository;
    private final MemoryHistory history;
    private final JsonMapper json;
    private final TransactionTemplate readOnly;

    MemoryExport(
            MemoryRepository repository,
            MemoryHistory history,
            JsonMapper json,
            PlatformTransactionManager transactions) {
        this.repository = repository;
        this.history = history;
        this.json = json;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    /** The user's live memories as NDJSON. */
    void write(UUID owner, OutputStream out) {
        readOnly.executeWithoutResult(status -> repository.forEach(owner, false, memory -> {
            try {
                out.write(json.writeValueAsBytes(memory));
                out.write('\n');
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
    }

    /** Every memory of the user (expired ones not yet purged too), oldest first. */
    void memories(UUID owner, RecordSink sink) throws IOException {
        this.<Memory>stream(sink, each -> repository.forEach(owner, true, each));
    }

    /** Every history event of the user's memories, oldest first. */
    void history(UUID owner, RecordSink sink) throws IOException {
        this.<MemoryHistory.ExportedEntry>stream(sink, each -> history.forEach(owner, each));
    }

    private <T> void stream(RecordSink sink, Consumer<Consumer<T>> query) throws IOException {
        try {
            readOnly.executeWithoutResult(status -> query.accept(row -> {
                try {
                    sink.write(row);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
