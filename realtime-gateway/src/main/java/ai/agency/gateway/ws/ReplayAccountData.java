package ai.agency.gateway.ws;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The WebSocket frames kept for resume ({@code ws_frames}, minutes) of a user, for the account-data export and
 * erasure: exported as sent; erased with the frames sent to others that name the user.
 */
@Component
class ReplayAccountData implements AccountData {

    static final String KIND = "ws_frames";

    /** A frame as exported: the JSON that was sent. */
    record ExportedFrame(UUID connectionId, long seq, JsonNode frame, Instant sentAt) {}

    private final ReplayLog log;
    private final JsonMapper json;
    private final TransactionTemplate readOnly;

    ReplayAccountData(ReplayLog log, JsonMapper json, PlatformTransactionManager transactions) {
        this.log = log;
        this.json = json;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    @Override
    public List<String> kinds() {
        return List.of(KIND);
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        try {
            readOnly.executeWithoutResult(status -> log.forEachOf(userId, frame -> {
                try {
                    sink.write(new ExportedFrame(
                            frame.connectionId(), frame.seq(), json.readTree(frame.payload()), frame.createdAt()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    @Transactional
    public Map<String, Long> erase(UUID userId) {
        return Map.of(KIND, (long) log.eraseOf(userId));
    }
}
