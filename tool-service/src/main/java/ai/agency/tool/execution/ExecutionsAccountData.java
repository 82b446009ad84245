package ai.agency.tool.execution;

import ai.agency.common.accountdata.AccountData;
import ai.agency.common.crypto.MasterKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user's tool executions and Idempotency-Keys, for the account-data export and erasure. The execution log holds the
 * parameters (redacted as logged) and the outcome, not the tool's output; the output a user gets again under an
 * Idempotency-Key is exported unsealed (it is theirs), without the request fingerprint. The usage outbox is
 * {@code UsageOutboxAccountData}'s.
 */
@Component
class ExecutionsAccountData implements AccountData {

    static final String EXECUTIONS = "tool_executions";
    static final String KEYS = "tool_idempotency_keys";

    /** An Idempotency-Key as exported; {@code result} is the stored envelope, null while its first call ran. */
    record ExportedKey(String key, String tool, @Nullable JsonNode result, Instant createdAt, Instant expiresAt) {}

    private final ExecutionRepository executions;
    private final IdempotencyKeys keys;
    private final MasterKey sealer;
    private final JsonMapper json;
    private final TransactionTemplate readOnly;

    ExecutionsAccountData(
            ExecutionRepository executions,
            IdempotencyKeys keys,
            MasterKey sealer,
            JsonMapper json,
            PlatformTransactionManager transactions) {
        this.executions = executions;
        this.keys = keys;
        this.sealer = sealer;
        this.json = json;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    @Override
    public List<String> kinds() {
        return List.of(EXECUTIONS, KEYS);
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        if (kind.equals(EXECUTIONS)) {
            this.<ExecutionRepository.Execution>stream(
                    sink, each -> executions.forEachOf(userId, each), execution -> execution);
        } else {
            this.<IdempotencyKeys.Owned>stream(sink, each -> keys.forEachOf(userId, each), this::exported);
        }
    }

    @Override
    @Transactional
    public Map<String, Long> erase(UUID userId) {
        Map<String, Long> rows = new LinkedHashMap<>();
        rows.put(EXECUTIONS, (long) executions.eraseOf(userId));
        rows.put(KEYS, (long) keys.eraseOf(userId));
        return rows;
    }

    /** Writes each row a cursor query gives, in a read-only transaction (the driver fetches in batches only then). */
    private <T> void stream(RecordSink sink, Consumer<Consumer<T>> query, Function<T, Object> record)
            throws IOException {
        try {
            readOnly.executeWithoutResult(status -> query.accept(row -> {
                try {
                    sink.write(record.apply(row));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private ExportedKey exported(IdempotencyKeys.Owned key) {
        byte[] sealed = key.sealedResult();
        return new ExportedKey(
                key.key(),
                key.tool(),
                sealed == null ? null : json.readTree(sealer.decrypt(sealed)),
                key.createdAt(),
                key.expiresAt());
    }
}
