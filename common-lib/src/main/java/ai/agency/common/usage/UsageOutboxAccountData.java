package ai.agency.common.usage;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A service's {@code usage_outbox} as account data (kind {@code usage_outbox}): the user's usage events its relay has
 * not delivered to auth-service yet — seconds' worth; auth-service exports and erases the delivered ones. Declared by
 * {@link UsageAutoConfiguration} in every service that records into an outbox.
 */
public class UsageOutboxAccountData implements AccountData {

    public static final String KIND = "usage_outbox";

    private final JdbcClient jdbc;
    private final TransactionTemplate readOnly;

    public UsageOutboxAccountData(DataSource dataSource) {
        this.jdbc = JdbcClient.create(dataSource);
        this.readOnly = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.readOnly.setReadOnly(true);
    }

    @Override
    public List<String> kinds() {
        return List.of(KIND);
    }

    /** Streamed with a cursor (a read-only transaction, as PostgreSQL's driver needs for one). */
    @Override
    public void export(UUID userId, String kind, RecordSink sink) throws IOException {
        try {
            readOnly.executeWithoutResult(status -> jdbc.sql(
                            "SELECT * FROM usage_outbox WHERE user_id = :u ORDER BY seq")
                    .param("u", userId)
                    .withFetchSize(500)
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
                    }));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** One statement: its own transaction. */
    @Override
    public Map<String, Long> erase(UUID userId) {
        return Map.of(KIND, (long) jdbc.sql("DELETE FROM usage_outbox WHERE user_id = :u")
                .param("u", userId)
                .update());
    }
}
