package ai.agency.common.usage;

import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Writes usage events into the service's own {@code usage_outbox} table (the connection's search path names the
 * service's schema). Call it inside the transaction of the work it measures: the event commits with the work or not
 * at all, so a crash mid-turn never loses a committed turn's usage nor counts one that rolled back. An event whose id
 * is already in the outbox is ignored. {@link UsageRelay} forwards the outbox to the owner.
 */
public class UsageRecorder {

    private final JdbcClient jdbc;

    public UsageRecorder(DataSource dataSource) {
        this.jdbc = JdbcClient.create(dataSource);
    }

    public void record(UsageEvent event) {
        recordAll(List.of(event));
    }

    /** The events in one statement (a chat turn's answer: its turn and its tokens). */
    public void recordAll(List<UsageEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        jdbc.sql("""
                INSERT INTO usage_outbox (id, user_id, at, kind, subject, count, tokens_in, tokens_out, bytes)
                SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:users AS uuid[]), CAST(:ats AS timestamptz[]),
                                     CAST(:kinds AS text[]), CAST(:subjects AS text[]), CAST(:counts AS bigint[]),
                                     CAST(:ins AS bigint[]), CAST(:outs AS bigint[]), CAST(:bytes AS bigint[]))
                ON CONFLICT (id) DO NOTHING
                """)
                .param("ids", texts(events, e -> e.id().toString()))
                .param("users", texts(events, e -> e.userId().toString()))
                .param("ats", texts(events, e -> e.at().toString()))
                .param("kinds", texts(events, UsageEvent::kind))
                .param("subjects", texts(events, UsageEvent::subject))
                .param("counts", numbers(events, UsageEvent::count))
                .param("ins", numbers(events, UsageEvent::tokensIn))
                .param("outs", numbers(events, UsageEvent::tokensOut))
                .param("bytes", numbers(events, UsageEvent::bytes))
                .update();
    }

    private static String[] texts(List<UsageEvent> events, Function<UsageEvent, String> value) {
        return events.stream().map(value).toArray(String[]::new);
    }

    private static Long[] numbers(List<UsageEvent> events, Function<UsageEvent, Long> value) {
        return events.stream().map(value).toArray(Long[]::new);
    }
}
