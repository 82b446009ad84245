package ai.agency.tool;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The user's usage events that the relay has not delivered to auth-service yet ({@code usage_outbox}, seconds), for
 * the account-data export and erasure (auth-service keeps, exports and erases the delivered ones). The same records
 * as orchestration-service's.
 */
@Component
class UsageOutboxAccountData implements AccountData {

    static final String KIND = "usage_outbox";

    private final JdbcClient jdbc;

    UsageOutboxAccountData(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public List<String> kinds() {
        return List.of(KIND);
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        try {
            jdbc.sql("SELECT * FROM usage_outbox WHERE user_id = :u ORDER BY seq")
                    .param("u", userId)
                    .query(rs -> {
                        Map<String, Object> event = new LinkedHashMap<>();
                        event.put("id", rs.getObject("id", UUID.class));
                        event.put("at", rs.getTimestamp("at").toInstant());
                        event.put("kind", rs.getString("kind"));
                        event.put("subject", rs.getString("subject"));
                        event.put("count", rs.getLong("count"));
                        event.put("tokensIn", rs.getLong("tokens_in"));
                        event.put("tokensOut", rs.getLong("tokens_out"));
                        event.put("bytes", rs.getLong("bytes"));
                        try {
                            sink.write(event);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** One statement: its own transaction. */
    @Override
    public Map<String, Long> erase(UUID userId) {
        long deleted = jdbc.sql("DELETE FROM usage_outbox WHERE user_id = :u")
                .param("u", userId)
                .update();
        return Map.of(KIND, deleted);
    }
}
