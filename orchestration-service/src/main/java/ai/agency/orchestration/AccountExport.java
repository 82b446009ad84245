package ai.agency.orchestration;

import ai.agency.common.accountdata.AccountData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Streams a user's rows to an account-data export ({@link AccountData#export}): one query with a database cursor
 * (fetch size {@value #FETCH_SIZE}, in a read-only transaction, which PostgreSQL's driver needs for a cursor), each
 * row mapped to its record and written to the sink before the next is read — never a list of everything.
 */
@Component
public class AccountExport {

    static final int FETCH_SIZE = 500;

    private final JdbcClient jdbc;
    private final TransactionTemplate readOnly;

    AccountExport(JdbcClient jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    /** Runs {@code sql} with {@code :userId} bound to {@code userId}; writes each row's record to {@code sink}. */
    public void stream(String sql, UUID userId, RowMapper<?> mapper, AccountData.RecordSink sink) throws IOException {
        stream(sql, Map.of("userId", userId), mapper, sink);
    }

    /** Runs {@code sql} with {@code params}; writes each row's record to {@code sink}. */
    public void stream(String sql, Map<String, ?> params, RowMapper<?> mapper, AccountData.RecordSink sink)
            throws IOException {
        RowCallbackHandler each = rs -> {
            try {
                sink.write(mapper.mapRow(rs, rs.getRow()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        try {
            readOnly.executeWithoutResult(
                    s -> jdbc.sql(sql).params(params).withFetchSize(FETCH_SIZE).query(each));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
