package ai.agency.orchestration;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The user's usage events that the relay has not delivered to auth-service yet ({@code usage_outbox}), for the
 * account-data export and erasure (auth-service keeps, exports and erases the delivered ones).
 */
@Component
@Order(80)
class UsageOutboxAccountData implements AccountData {

    private final AccountExport export;
    private final JdbcClient jdbc;

    UsageOutboxAccountData(AccountExport export, JdbcClient jdbc) {
        this.export = export;
        this.jdbc = jdbc;
    }

    @Override
    public List<String> kinds() {
        return List.of("usage_outbox");
    }

    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        export.stream(
                "SELECT * FROM usage_outbox WHERE user_id = :userId ORDER BY seq",
                userId,
                (rs, i) -> {
                    Map<String, Object> event = new LinkedHashMap<>();
                    event.put("id", rs.getObject("id", UUID.class));
                    event.put("at", rs.getTimestamp("at").toInstant());
                    event.put("kind", rs.getString("kind"));
                    event.put("subject", rs.getString("subject"));
                    event.put("count", rs.getLong("count"));
                    event.put("tokensIn", rs.getLong("tokens_in"));
                    event.put("tokensOut", rs.getLong("tokens_out"));
                    event.put("bytes", rs.getLong("bytes"));
                    return event;
                },
                sink);
    }

    /** One statement: its own transaction. */
    @Override
    public Map<String, Long> erase(UUID userId) {
        long deleted = jdbc.sql("DELETE FROM usage_outbox WHERE user_id = :userId")
                .param("userId", userId)
                .update();
        return Map.of("usage_outbox", deleted);
    }
}
