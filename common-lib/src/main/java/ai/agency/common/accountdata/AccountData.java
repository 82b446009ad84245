package ai.agency.common.accountdata;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What a service stores of one user, for export and erasure. A service declares one bean per area of its data (its
 * kinds must be unique within the service); {@link AccountDataController} serves them all.
 *
 * <p>Contract: {@link #export} streams (a cursor, not a list: 100k rows must fit in flat memory) every record of the
 * kind that belongs to the user, in a stable order, as JSON values (records, maps) — never secrets (hashes, sealed
 * keys). {@link #erase} deletes every row of the user that holds their text or identity, in one transaction, and is
 * idempotent: erasing an erased user deletes nothing and succeeds. After it, no table of the service may contain the
 * user's texts (platform-tests greps every schema for a marker).
 */
public interface AccountData {

    /** The path prefix the controller serves, never routed by the gateway. */
    String PATH = "/internal/account-data";

    /** The only scope that reaches {@link #PATH}; auth-service mints it for its export and erasure jobs only. */
    String SCOPE = "account_data";

    /** The kinds this bean exports, e.g. {@code memories}, {@code memory_history}; lowercase, {@code [a-z_]+}. */
    List<String> kinds();

    /** Writes each record of {@code kind} of the user to {@code sink}. */
    void export(UUID userId, String kind, RecordSink sink) throws IOException;

    /** Erases the user's data of this bean's kinds; rows deleted (or scrubbed) per kind. */
    Map<String, Long> erase(UUID userId);

    /** Receives exported records, one JSON value each. */
    @FunctionalInterface
    interface RecordSink {
        void write(Object record) throws IOException;
    }
}
